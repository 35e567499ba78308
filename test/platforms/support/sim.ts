/**
 * Helpers for contract tests against the simulator: its inspection API under `/_sim/`
 * and a bounded poll, so tests wait on conditions rather than fixed sleeps.
 */

export interface SimRequest {
  readonly method: string;
  readonly path: string;
  readonly [key: string]: unknown;
}

export interface DialectFaults {
  readonly errorRate?: number;
  readonly rateLimitRate?: number;
  readonly retryAfterSeconds?: number;
  readonly latencyMs?: number;
  readonly hangRate?: number;
  readonly hangSeconds?: number;
  readonly dropRate?: number;
  readonly methods?: readonly string[];
}

/** `PUT /_sim/faults`: shared settings, one dialect's overrides, and the seed of the fault streams. */
export interface Faults extends DialectFaults {
  readonly seed?: number;
  readonly avisi?: DialectFaults;
  readonly aether?: DialectFaults;
}

export const NO_FAULTS: Faults = { errorRate: 0, rateLimitRate: 0, latencyMs: 0, hangRate: 0, dropRate: 0 };

async function simCall(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${base}/_sim/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`simulator ${method} /_sim/${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

export const setFaults = (base: string, faults: Faults) => simCall(base, 'PUT', 'faults', faults);
export const setOutcomes = (base: string, clusterId: string, outcomes: readonly string[]) =>
  simCall(base, 'PUT', `clusters/${clusterId}/outcomes`, { outcomes });

/** Every mutating request the simulator received, whatever envelope it wraps them in. */
export async function simRequests(base: string): Promise<SimRequest[]> {
  const body = (await simCall(base, 'GET', 'requests')) as
    SimRequest[] | { requests?: SimRequest[]; items?: SimRequest[] };
  return Array.isArray(body) ? body : (body.requests ?? body.items ?? []);
}

/** Calls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  { timeoutMs = 10_000, intervalMs = 25, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
