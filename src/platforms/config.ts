/**
 * Platform client configuration from the environment. Reading never fails for a
 * missing token: a worker that only drives Aether needs no Avisi token. The error
 * comes when a client is created without one, naming the variable to set.
 *
 * | variable | meaning |
 * | --- | --- |
 * | `AVISI_API_URL` | default `https://api.avisi.cloud/api/v1` |
 * | `AVISI_API_TOKEN` | Avisi personal access token |
 * | `AETHER_API_URL` | default `https://api.aetherplatform.cloud/api/v1` |
 * | `AETHER_API_TOKEN` | one token for every organisation, or `orgId=token` pairs separated by commas (Aether tokens are per organisation) |
 * | `FLEET_HTTP_TIMEOUT_MS` | per-attempt request timeout, default 10000 |
 * | `AVISI_API_RATE_PER_MINUTE` | Avisi API calls per minute, all workers together; default 0 (no limit: Avisi documents none) |
 * | `AETHER_API_RATE_PER_MINUTE` | Aether API calls per minute, all workers together; default 100 (Aether's documented limit); 0: no limit |
 * | `AVISI_API_BURST`, `AETHER_API_BURST` | calls that may go at once after a quiet spell; default 5 |
 */
import { normaliseId } from '../domain/ids.js';
import type { PlatformName } from '../domain/platform.js';
import { AETHER_DEFAULT_API_URL } from './aether/client.js';
import { AVISI_DEFAULT_API_URL } from './avisi/client.js';
import { PlatformConfigError } from './errors.js';
import { DEFAULT_TIMEOUT_MS, type HttpTuning } from './http.js';

/** Every variable `platformConfigFromEnv` reads (deployment files are checked against it). */
export const PLATFORM_ENV_VARS = [
  'AVISI_API_URL',
  'AVISI_API_TOKEN',
  'AETHER_API_URL',
  'AETHER_API_TOKEN',
  'FLEET_HTTP_TIMEOUT_MS',
  'AVISI_API_RATE_PER_MINUTE',
  'AETHER_API_RATE_PER_MINUTE',
  'AVISI_API_BURST',
  'AETHER_API_BURST',
] as const;

export interface PlatformConfig {
  readonly avisi: {
    readonly apiUrl: string;
    readonly token?: string;
  };
  readonly aether: {
    readonly apiUrl: string;
    /** One token for every organisation, or one per organisation id. */
    readonly token?: string | Readonly<Record<string, string>>;
  };
  /** Timeout and retry knobs for both clients. */
  readonly http: HttpTuning;
  /** Each platform's API budget, shared by all workers (see workflows/api-budget.ts). */
  readonly budgets: Readonly<Record<PlatformName, ApiBudgetConfig>>;
}

export interface ApiBudgetConfig {
  /** Calls per minute; 0: no limit. */
  readonly ratePerMinute: number;
  /** Calls that may go at once after a quiet spell (>= 1). */
  readonly burst: number;
}

/** Aether: 100 requests per minute per token (platform-apis.md). Avisi documents no limit. */
export const DEFAULT_API_RATE_PER_MINUTE: Readonly<Record<PlatformName, number>> = { avisi: 0, aether: 100 };
export const DEFAULT_API_BURST = 5;

export function platformConfigFromEnv(env: NodeJS.ProcessEnv = process.env): PlatformConfig {
  const avisiToken = nonEmpty(env.AVISI_API_TOKEN);
  const aetherToken = nonEmpty(env.AETHER_API_TOKEN);
  return {
    avisi: { apiUrl: nonEmpty(env.AVISI_API_URL) ?? AVISI_DEFAULT_API_URL, ...(avisiToken ? { token: avisiToken } : {}) },
    aether: { apiUrl: nonEmpty(env.AETHER_API_URL) ?? AETHER_DEFAULT_API_URL, ...(aetherToken ? { token: parseAetherTokens(aetherToken) } : {}) },
    http: { timeoutMs: parseTimeout(env.FLEET_HTTP_TIMEOUT_MS) },
    budgets: {
      avisi: budgetFromEnv(env, 'AVISI', DEFAULT_API_RATE_PER_MINUTE.avisi),
      aether: budgetFromEnv(env, 'AETHER', DEFAULT_API_RATE_PER_MINUTE.aether),
    },
  };
}

function budgetFromEnv(env: NodeJS.ProcessEnv, prefix: 'AVISI' | 'AETHER', defaultRate: number): ApiBudgetConfig {
  return {
    ratePerMinute: wholeNumber(env, `${prefix}_API_RATE_PER_MINUTE`, defaultRate, 0),
    burst: wholeNumber(env, `${prefix}_API_BURST`, DEFAULT_API_BURST, 1),
  };
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const text = nonEmpty(env[name]);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new PlatformConfigError(`${name} must be a whole number >= ${min}, got ${JSON.stringify(text)}`, name);
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function parseTimeout(value: string | undefined): number {
  const text = nonEmpty(value);
  if (text === undefined) return DEFAULT_TIMEOUT_MS;
  const timeout = Number(text);
  if (!Number.isInteger(timeout) || timeout <= 0) {
    throw new PlatformConfigError(`FLEET_HTTP_TIMEOUT_MS must be a positive whole number of milliseconds, got ${JSON.stringify(text)}`, 'FLEET_HTTP_TIMEOUT_MS');
  }
  return timeout;
}

/** `aether_abc` (one for all) or `orgA=aether_abc,orgB=aether_def` (per organisation). */
function parseAetherTokens(text: string): string | Record<string, string> {
  if (!text.includes('=')) return text;
  const tokens: Record<string, string> = {};
  for (const pair of text.split(/[,\s]+/).filter(Boolean)) {
    const at = pair.indexOf('=');
    const org = pair.slice(0, at).trim();
    const token = pair.slice(at + 1).trim();
    // The message names the position, never the token.
    if (at <= 0 || !token) throw new PlatformConfigError('AETHER_API_TOKEN: expected a token or orgId=token pairs separated by commas', 'AETHER_API_TOKEN');
    tokens[normaliseId(org)] = token;
  }
  return tokens;
}
