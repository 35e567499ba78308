/**
 * Every `/api/v1` call the simulator received, reads included, with when it arrived,
 * when it was answered, which client sent it and any `Retry-After` it was told: what a
 * test needs to prove that no client sent a request while a `Retry-After` it was given
 * still ran. (The request log, request-log.ts, keeps the mutations with their bodies.)
 *
 * A client is named, never shown: `client` is a label the simulator gives each
 * credential it knows (`aether:org/<id>`, `avisi:token-1`, `avisi:org/<slug>`), so the
 * log can be read by anyone without handing out a token.
 */
import { BoundedLog } from './bounded-log.js';
import type { Dialect } from './dialects.js';
import type { FaultKind } from './faults.js';

export interface LoggedCall {
  readonly seq: number;
  readonly platform: Dialect;
  /** Who sent it (see the dialect's `clientLabel`). */
  readonly client: string;
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** Real epoch ms the request arrived (its headers were read). */
  readonly arrivedAt: number;
  /** Real epoch ms its answer was sent; absent when none was (hung, dropped). */
  readonly answeredAt?: number;
  /** The HTTP status sent (or, for a dropped response, the one the route meant to send); 0 when none (hung). */
  readonly status: number;
  /** Seconds of the `Retry-After` header sent with the answer. */
  readonly retryAfterSeconds?: number;
  readonly fault?: FaultKind;
}

/** Listed in the order they were answered (or given up on); sort by `arrivedAt` for arrival order. */
export class CallLog extends BoundedLog<LoggedCall, 'platform' | 'client'> {}
