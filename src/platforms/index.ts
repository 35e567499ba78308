/**
 * The platform clients: one `PlatformClient` per platform, created from a
 * `PlatformConfig` (see config.ts for the environment it reads) by the factory its
 * descriptor loads (registry.ts).
 */
import { silentLogger, type Logger } from '../logger.js';
import type { PlatformConfig } from './config.js';
import type { PlatformClientFactory } from './descriptor.js';
import { PlatformConfigError } from './errors.js';
import type { CallBudget } from './http.js';
import { descriptorOf, PLATFORM_DESCRIPTORS, type PlatformName } from './registry.js';
import type { PlatformClient } from './types.js';

export * from './types.js';
export { ApiBudgetExhaustedError, PlatformApiError, PlatformConfigError, type PlatformApiErrorInit } from './errors.js';
export { platformConfigFromEnv, type PlatformConfig } from './config.js';
export {
  definePlatform,
  type PlatformClientFactory,
  type PlatformClientOptions,
  type PlatformDescriptor,
  type PlatformToken,
} from './descriptor.js';
export { descriptorOf, isPlatformName, PLATFORM_DESCRIPTORS, PLATFORM_NAMES } from './registry.js';
export { createAvisiClient, AVISI_DEFAULT_API_URL, type AvisiClientOptions } from './avisi/client.js';
export { createAetherClient, AETHER_DEFAULT_API_URL, type AetherClientOptions } from './aether/client.js';
export {
  DEFAULT_TIMEOUT_MS,
  DEFAULT_RETRY_LIMIT,
  DEFAULT_MAX_RETRY_AFTER_MS,
  DEFAULT_BACKOFF_LIMIT_MS,
  type CallBudget,
  type HttpTuning,
} from './http.js';

/**
 * Each platform's client factory (descriptor `loadClient`), loaded once, when this
 * module is first imported: the worker and the CLI import it at start, so a factory is
 * there before any activity asks, and `createPlatformClient` stays synchronous. The
 * descriptors load their clients dynamically so that workflow code, which imports the
 * descriptors, never bundles a client (see descriptor.ts).
 */
const FACTORIES: ReadonlyMap<PlatformName, PlatformClientFactory> = new Map(
  await Promise.all(
    PLATFORM_DESCRIPTORS.map(async (descriptor) => [descriptor.name, await descriptor.loadClient()] as const),
  ),
);

/**
 * A client for one platform. Throws PlatformConfigError naming the variable when its
 * token is missing. `budget`, when given, is asked before every call (see CallBudget).
 */
export function createPlatformClient(
  platform: PlatformName,
  config: PlatformConfig,
  logger: Logger = silentLogger,
  budget?: CallBudget,
): PlatformClient {
  const descriptor = descriptorOf(platform);
  const create = FACTORIES.get(platform);
  if (!create) throw new PlatformConfigError(`unknown platform ${JSON.stringify(platform)}`);
  const { apiUrl, token } = config[platform];
  if (!token || (typeof token === 'object' && Object.keys(token).length === 0)) {
    const variable = descriptor.env.token;
    throw new PlatformConfigError(
      `${variable} is not set: the ${descriptor.label} client needs ${descriptor.token.needs}`,
      variable,
    );
  }
  return create({ ...config.http, ...(budget ? { budget } : {}), apiUrl, token, logger: logger.child({ platform }) });
}

export interface PlatformClients {
  /** The client for `platform`, created on first use and kept. */
  get(platform: PlatformName): PlatformClient;
}

/**
 * Clients for every platform, each created the first time it is asked for, so a worker
 * that only drives one platform needs only that platform's token. One instance per
 * platform also shares Avisi's identity-to-slug cache across activities.
 */
export function createPlatformClients(
  config: PlatformConfig,
  logger: Logger = silentLogger,
  budgetFor?: (platform: PlatformName) => CallBudget | undefined,
): PlatformClients {
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
