/**
 * What the HTTP layer (http.ts) is given and gives: the knobs both platform clients
 * share, each with its default, the client's options, and the interface it returns.
 */
import type { Method } from 'got';
import type { z } from 'zod';
import type { Logger } from '../logger.js';
import type { PlatformName } from './names.js';

/** Knobs shared by both clients. Every one has a default suited to an activity. */
export interface HttpTuning {
  /**
   * Limit for one attempt, from connecting to the last byte of the body (got's
   * `timeout.request`). Retries get a fresh limit each.
   * @default 10_000
   */
  readonly timeoutMs?: number;
  /**
   * Retries after the first attempt, for methods safe to repeat, on 408, 429, 5xx,
   * timeouts and network errors. Keep it small: the activity's own retry policy is the
   * long-haul retry loop; these only smooth over blips.
   * @default 2
   */
  readonly retryLimit?: number;
  /**
   * The longest `Retry-After` waited for in process. A server asking for longer is not
   * retried here: the error carries `retryAfterMs`, so the activity can hand the wait to
   * Temporal (`nextRetryDelay`) instead of holding a worker slot. Other calls with the
   * same token wait out a `Retry-After` up to this long too, and fail the same way
   * (nothing sent) when more of it is left.
   * @default 5_000
   */
  readonly maxRetryAfterMs?: number;
  /**
   * Cap on the exponential backoff (1 s, 2 s, ...) used when no `Retry-After` came.
   * @default 2_000
   */
  readonly backoffLimitMs?: number;
  /**
   * Asked before every request and every retry of one, so a platform's rate limit holds
   * across all workers. None: calls go out as fast as they come.
   */
  readonly budget?: CallBudget;
  /**
   * Told of every attempt the platform did not answer usefully (an error status, a
   * timeout, a network error, a body that does not parse), the client's own retries
   * included: the worker counts them (`fleet_api_errors_total`). Not told of calls
   * never sent (budget spent, no token) nor of calls the caller aborted. What it
   * throws is ignored: counting must never fail a call.
   */
  readonly onApiError?: (error: ApiErrorEvent) => void;
  /**
   * The signal of the work a call is made for, used when the caller passes none: the
   * worker gives the running activity's cancellation signal, so an activity that is
   * cancelled (its rollout stopped, or the worker shutting down past its grace time)
   * stops waiting for the platform and for the API budget.
   */
  readonly callSignal?: () => AbortSignal | undefined;
}

/** One failed attempt, as `onApiError` hears of it: no path, no body, nothing secret. */
export interface ApiErrorEvent {
  readonly platform: PlatformName;
  readonly method: string;
  /** The HTTP status (`"429"`, `"503"`), or `timeout`, `network`, `invalid_response` when no readable answer came. */
  readonly status: string;
}

/**
 * Where a client asks before each call it sends, retries included: a platform's API
 * budget shared by every worker (see workflows/api-budget/workflow.ts). Resolves when the call
 * may go; rejects with `signal`'s reason when the caller gives up first, and with
 * `ApiBudgetExhaustedError` when the call could not go soon enough.
 */
export interface CallBudget {
  acquire(signal?: AbortSignal): Promise<void>;
}

/** A token, or (Aether: tokens are per organisation) a lookup by organisation. */
export type TokenSource = string | ((organisation: string | undefined) => string | undefined);

/** What a dialect's error body says, in the shape `PlatformApiError` wants. */
export interface ApiErrorBody {
  readonly code?: string;
  readonly message?: string;
  readonly details?: readonly string[];
}

export interface HttpClientOptions extends HttpTuning {
  readonly platform: PlatformName;
  /** Base URL including the API prefix, e.g. `https://api.avisi.cloud/api/v1`. */
  readonly baseUrl: string;
  /** Authorization scheme: Avisi `Token`, Aether `Bearer`. */
  readonly authScheme: 'Token' | 'Bearer';
  readonly token: TokenSource;
  /** Methods that may be sent twice without harm. */
  readonly retryMethods: readonly Method[];
  /** Reads the dialect's error body; undefined when it is not in the dialect's shape. */
  readonly parseErrorBody: (body: unknown) => ApiErrorBody | undefined;
  /** Where retries are reported (never with headers). */
  readonly logger?: Logger;
}

export interface RequestOptions {
  readonly searchParams?: Readonly<Record<string, string | number>>;
  readonly json?: unknown;
  readonly signal?: AbortSignal;
  /** The organisation addressed: picks the token when tokens are per organisation. */
  readonly organisation?: string;
}

export interface HttpClient {
  readonly platform: PlatformName;
  /**
   * Sends one request (with retries where safe) and returns the body parsed by
   * `schema`. Throws `PlatformApiError` for every failure, or the signal's reason when
   * the caller aborted (an activity's cancellation must surface as cancellation).
   * `path` is relative to the base URL; build it with `apiPath` so ids are escaped.
   */
  request<S extends z.ZodType>(method: Method, path: string, schema: S, options?: RequestOptions): Promise<z.output<S>>;
  /** The URL path a relative `path` resolves to (for errors this module does not raise). */
  pathname(path: string): string;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_RETRY_LIMIT = 2;
export const DEFAULT_MAX_RETRY_AFTER_MS = 5_000;
export const DEFAULT_BACKOFF_LIMIT_MS = 2_000;
