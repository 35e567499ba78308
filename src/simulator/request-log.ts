/**
 * Every mutating request (POST/PUT/PATCH/DELETE under `/api/v1`) the simulator
 * received, accepted or rejected, faulted or not: what tests and benchmarks use to
 * prove "nothing lost, nothing twice". Never holds the Authorization header.
 */
import { BoundedLog } from './bounded-log.js';
import type { Dialect } from './dialects.js';
import type { FaultKind } from './faults.js';

export interface LoggedRequest {
  readonly seq: number;
  /** Real RFC 3339 instant the request arrived (its headers were read). */
  readonly at: string;
  readonly platform: Dialect;
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** The HTTP status sent, or 0 when no response was sent (hang). */
  readonly status: number;
  readonly body: unknown;
  /** Lower-case cluster id the request was about, when known. */
  readonly clusterId?: string;
  /**
   * The injected fault, if any: the request was `dropped` (applied, no response), `hung`,
   * or answered with an injected `error` or `rate-limit`.
   */
  readonly fault?: FaultKind;
}

/** A `clusterId` filter is matched in lower case, as the log keeps cluster ids. */
export class RequestLog extends BoundedLog<LoggedRequest, 'platform' | 'clusterId'> {
  constructor() {
    super({ clusterId: (id) => id.toLowerCase() });
  }
}
