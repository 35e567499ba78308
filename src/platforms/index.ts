/**
 * The platform clients: one `PlatformClient` per platform, created from a
 * `PlatformConfig` (see config.ts for the environment it reads).
 */
import type { PlatformName } from '../domain/platform.js';
import { silentLogger, type Logger } from '../logger.js';
import { createAetherClient } from './aether/client.js';
import { createAvisiClient } from './avisi/client.js';
import type { PlatformConfig } from './config.js';
import { PlatformConfigError } from './errors.js';
import type { CallBudget } from './http.js';
import type { PlatformClient } from './types.js';

export * from './types.js';
export { ApiBudgetExhaustedError, PlatformApiError, PlatformConfigError, type PlatformApiErrorInit } from './errors.js';
export { platformConfigFromEnv, type PlatformConfig } from './config.js';
export { createAvisiClient, AVISI_DEFAULT_API_URL, type AvisiClientOptions } from './avisi/client.js';
export { createAetherClient, AETHER_DEFAULT_API_URL, type AetherClientOptions } from './aether/client.js';
export { DEFAULT_TIMEOUT_MS, DEFAULT_RETRY_LIMIT, DEFAULT_MAX_RETRY_AFTER_MS, DEFAULT_BACKOFF_LIMIT_MS, type CallBudget, type HttpTuning } from './http.js';

/**
 * A client for one platform. Throws PlatformConfigError naming the variable when its
 * token is missing. `budget`, when given, is asked before every call (see CallBudget).
 */
export function createPlatformClient(platform: PlatformName, config: PlatformConfig, logger: Logger = silentLogger, budget?: CallBudget): PlatformClient {
  const http = { ...config.http, ...(budget ? { budget } : {}) };
  switch (platform) {
    case 'avisi': {
      const { apiUrl, token } = config.avisi;
      if (!token) throw new PlatformConfigError('AVISI_API_TOKEN is not set: the Avisi Cloud client needs a personal access token', 'AVISI_API_TOKEN');
      return createAvisiClient({ ...http, apiUrl, token, logger: logger.child({ platform }) });
    }
    case 'aether': {
      const { apiUrl, token } = config.aether;
      if (!token || (typeof token === 'object' && Object.keys(token).length === 0)) {
        throw new PlatformConfigError('AETHER_API_TOKEN is not set: the Aether client needs an API token (or orgId=token pairs)', 'AETHER_API_TOKEN');
      }
      return createAetherClient({ ...http, apiUrl, token, logger: logger.child({ platform }) });
    }
    default: {
      const unknown: never = platform;
      throw new PlatformConfigError(`unknown platform ${JSON.stringify(unknown)}`);
    }
  }
}

export interface PlatformClients {
  /** The client for `platform`, created on first use and kept. */
  get(platform: PlatformName): PlatformClient;
}

/**
 * Clients for both platforms, each created the first time it is asked for, so a worker
 * that only drives one platform needs only that platform's token. One instance per
 * platform also shares Avisi's identity-to-slug cache across activities.
 */
export function createPlatformClients(config: PlatformConfig, logger: Logger = silentLogger, budgetFor?: (platform: PlatformName) => CallBudget | undefined): PlatformClients {
  const clients = new Map<PlatformName, PlatformClient>();
  return {
    get(platform) {
      let client = clients.get(platform);
      if (!client) {
        client = createPlatformClient(platform, config, logger, budgetFor?.(platform));
        clients.set(platform, client);
      }
      return client;
    },
  };
}
