/**
 * Typed errors for platform API calls. They carry the API's own message (never a
 * token) and say whether a retry can help, which activities turn into Temporal retry
 * decisions: 4xx other than 408/429 are final, 408/429/5xx/timeouts/network are not.
 */
import { ConfigError } from '../domain/config-error.js';
import type { PlatformName } from './names.js';

export interface PlatformApiErrorInit {
  readonly platform: PlatformName;
  /** HTTP status, or undefined for timeouts and network errors. */
  readonly status?: number;
  /**
   * The API's machine-readable code (Aether `error.code`), or a synthetic one (`timeout`,
   * `network`, `invalid_response`, `missing_token`; and, for calls never sent,
   * `budget_exhausted` and `retry_after`: the fleet's budget or the platform's
   * `Retry-After` says to come back in `retryAfterMs`).
   */
  readonly code: string;
  /** The API's message, or a description of what went wrong. */
  readonly apiMessage: string;
  /** Field-level details the API sent (Avisi `details[]`, Aether `error.details[]`). */
  readonly details?: readonly string[];
  readonly method: string;
  /** Path of the request, without host or query string (ids only, no secrets). */
  readonly path: string;
  /** Milliseconds the server asked us to wait (`Retry-After`). */
  readonly retryAfterMs?: number;
}

/** Synthetic codes (no HTTP status) that no retry can fix. */
const FINAL_SYNTHETIC_CODES: ReadonlySet<string> = new Set(['invalid_response', 'missing_token']);

export class PlatformApiError extends Error {
  readonly platform: PlatformName;
  readonly status?: number;
  readonly code: string;
  readonly apiMessage: string;
  readonly details: readonly string[];
  readonly method: string;
  readonly path: string;
  readonly retryAfterMs?: number;

  constructor(init: PlatformApiErrorInit, options?: { cause?: unknown }) {
    const where = `${init.platform} ${init.method} ${init.path}`;
    const what = init.status === undefined ? init.code : `${init.status} ${init.code}`;
    const details = init.details?.length ? ` (${init.details.join('; ')})` : '';
    super(`${where} failed: ${what}: ${init.apiMessage}${details}`, options);
    this.name = 'PlatformApiError';
    this.platform = init.platform;
    this.status = init.status;
    this.code = init.code;
    this.apiMessage = init.apiMessage;
    this.details = init.details ?? [];
    this.method = init.method;
    this.path = init.path;
    this.retryAfterMs = init.retryAfterMs;
  }

  /**
   * 408, 429, 5xx, timeouts and network errors can succeed later; other 4xx cannot, nor
   * can a body we cannot read or a request we had no token for.
   */
  get retryable(): boolean {
    if (this.status === undefined) return !FINAL_SYNTHETIC_CODES.has(this.code);
    return this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

/**
 * A client cannot be used as configured: a token or URL is missing or malformed. Thrown
 * when a client is created (or, for Aether's per-organisation tokens, when an
 * organisation without a token is addressed), never at import time. Retrying cannot help.
 */
export class PlatformConfigError extends ConfigError {
  readonly retryable = false;
}

/**
 * The fleet's API budget for a platform is spent further ahead than a call may wait:
 * nothing was sent. Retryable after `retryAfterMs`, which the activity hands to
 * Temporal, so the wait holds no worker slot.
 */
export class ApiBudgetExhaustedError extends Error {
  constructor(readonly retryAfterMs: number) {
    super(`the API budget is spent for the next ${Math.ceil(retryAfterMs / 1000)} s`);
    this.name = 'ApiBudgetExhaustedError';
  }
}
