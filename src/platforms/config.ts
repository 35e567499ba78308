/**
 * Platform client configuration from the environment, read through each platform's
 * descriptor (its variable names and defaults; see descriptor.ts). Reading never fails
 * for a missing token: a worker that only drives Aether needs no Avisi token. The error
 * comes when a client is created without one, naming the variable to set.
 *
 * Each platform's variables are named by its descriptor (`env`, defaults in `defaults`):
 * the API URL (`AVISI_API_URL`), the token (`AVISI_API_TOKEN`; `AETHER_API_TOKEN` may
 * hold `orgId=token` pairs separated by commas, Aether tokens being per organisation),
 * the API budget in calls per minute for all workers together (`AVISI_API_RATE_PER_MINUTE`,
 * default the platform's documented limit, 0 for none) and its burst (`AVISI_API_BURST`,
 * default 5). `FLEET_HTTP_TIMEOUT_MS` is the per-attempt request timeout for all
 * (default 10000). docs/configuration.md lists them all.
 */
import { PLATFORM_DESCRIPTORS, type PlatformName } from './registry.js';
import type { PlatformDescriptor, PlatformToken } from './descriptor.js';
import { PlatformConfigError } from './errors.js';
import { DEFAULT_TIMEOUT_MS, type HttpTuning } from './http.js';

/** Every variable `platformConfigFromEnv` reads (deployment files are checked against it). */
export const PLATFORM_ENV_VARS: readonly string[] = [
  ...PLATFORM_DESCRIPTORS.flatMap((d) => [d.env.url, d.env.token]),
  'FLEET_HTTP_TIMEOUT_MS',
  ...PLATFORM_DESCRIPTORS.map((d) => d.env.ratePerMinute),
  ...PLATFORM_DESCRIPTORS.map((d) => d.env.burst),
];

/** Where one platform's API is and the worker's token for it. */
export interface PlatformEndpointConfig {
  readonly apiUrl: string;
  /**
   * As the descriptor's `token.parse` read it (Aether: one token for every organisation, or one
   * per organisation id).
   */
  readonly token?: PlatformToken;
}

/** One `PlatformEndpointConfig` per platform, under its name (`config.avisi`), beside the settings they share. */
export type PlatformConfig = { readonly [P in PlatformName]: PlatformEndpointConfig } & {
  /** Timeout and retry knobs for every client. */
  readonly http: HttpTuning;
  /** Each platform's API budget, shared by all workers (see workflows/api-budget/workflow.ts). */
  readonly budgets: Readonly<Record<PlatformName, ApiBudgetConfig>>;
};

export interface ApiBudgetConfig {
  /** Calls per minute; 0: no limit. */
  readonly ratePerMinute: number;
  /** Calls that may go at once after a quiet spell (>= 1). */
  readonly burst: number;
}

/**
 * Each platform's documented limit (descriptor `defaults.ratePerMinute`; Aether: 100 requests
 * per minute per token).
 */
export const DEFAULT_API_RATE_PER_MINUTE = Object.fromEntries(
  PLATFORM_DESCRIPTORS.map((d) => [d.name, d.defaults.ratePerMinute]),
) as Readonly<Record<PlatformName, number>>;

export function platformConfigFromEnv(env: NodeJS.ProcessEnv = process.env): PlatformConfig {
  const byPlatform = <T>(read: (descriptor: PlatformDescriptor<PlatformName>) => T) =>
    Object.fromEntries(PLATFORM_DESCRIPTORS.map((d) => [d.name, read(d)])) as Record<PlatformName, T>;
  return {
    ...byPlatform((d) => endpointFromEnv(env, d)),
    http: { timeoutMs: parseTimeout(env.FLEET_HTTP_TIMEOUT_MS) },
    budgets: byPlatform((d) => budgetFromEnv(env, d)),
  };
}

function endpointFromEnv(env: NodeJS.ProcessEnv, descriptor: PlatformDescriptor): PlatformEndpointConfig {
  const text = nonEmpty(env[descriptor.env.token]);
  return {
    apiUrl: nonEmpty(env[descriptor.env.url]) ?? descriptor.defaults.apiUrl,
    ...(text ? { token: parseToken(descriptor, text) } : {}),
  };
}

function parseToken(descriptor: PlatformDescriptor, text: string): PlatformToken {
  const parse = descriptor.token.parse;
  if (!parse) return text;
  const token = parse.read(text);
  // The message names the variable and its form, never the token.
  if (token === undefined)
    throw new PlatformConfigError(`${descriptor.env.token}: expected ${parse.expected}`, descriptor.env.token);
  return token;
}

function budgetFromEnv(env: NodeJS.ProcessEnv, descriptor: PlatformDescriptor): ApiBudgetConfig {
  return {
    ratePerMinute: wholeNumber(env, descriptor.env.ratePerMinute, descriptor.defaults.ratePerMinute, 0),
    burst: wholeNumber(env, descriptor.env.burst, descriptor.defaults.burst, 1),
  };
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const text = nonEmpty(env[name]);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min)
    throw new PlatformConfigError(`${name} must be a whole number >= ${min}, got ${JSON.stringify(text)}`, name);
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
    throw new PlatformConfigError(
      `FLEET_HTTP_TIMEOUT_MS must be a positive whole number of milliseconds, got ${JSON.stringify(text)}`,
      'FLEET_HTTP_TIMEOUT_MS',
    );
  }
  return timeout;
}
