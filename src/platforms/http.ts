/**
 * The HTTP layer both platform clients share: one got instance per client, configured
 * for JSON APIs that sit behind a token, plus `request()`, which sends, validates the
 * body with a zod schema and turns every failure into a `PlatformApiError`.
 *
 * Two rules shape this file:
 * - Retry only what is safe to repeat. GET and DELETE are; so is Aether's PUT (it sets a
 *   desired state). Avisi's POST is not: a second POST supersedes the first. Each
 *   client names its safe methods.
 * - Nothing got built leaves this module. got's errors carry the request options,
 *   headers included, so the token would ride along into Temporal histories. Errors
 *   are rebuilt from the few facts we need (status, the API's own message, the path).
 *
 * A `Retry-After` (on a 429 or 503) holds every request of the client that uses the
 * same token until it has passed, not only the retry of the request it came with: the
 * platforms rate-limit per token (retry-after-gate.ts).
 */
import { got, HTTPError, ParseError, RequestError, TimeoutError, type Got, type Method } from 'got';
import type { z } from 'zod';
import type { PlatformName } from './registry.js';
import { ApiBudgetExhaustedError, PlatformApiError } from './errors.js';
import { RetryAfterGate, RetryAfterPendingError } from './retry-after-gate.js';
import { silentLogger, type Logger } from '../logger.js';

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
 * budget shared by every worker (see workflows/api-budget.ts). Resolves when the call
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

const RETRY_STATUS_CODES = [408, 429, ...Array.from({ length: 100 }, (_, i) => 500 + i)];

/** A path with every interpolated value URI-escaped: apiPath`orgs/${org}/clusters`. */
export function apiPath(strings: TemplateStringsArray, ...values: readonly string[]): string {
  return strings.reduce((acc, part, i) => acc + part + (i < values.length ? encodeURIComponent(values[i]!) : ''), '');
}

function resolveToken(source: TokenSource, organisation: string | undefined): string | undefined {
  return typeof source === 'string' ? source : source(organisation);
}

/**
 * The got instance a client sends through: base URL, JSON, per-attempt timeout, safe
 * retries honouring `Retry-After`, and the Authorization header added in a hook, so the
 * token lives in this closure and nowhere in the instance's defaults.
 */
export function createGot(options: HttpClientOptions): Got {
  const logger = options.logger ?? silentLogger;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
  const gate = new RetryAfterGate();
  const tokenOf = (context: Record<string, unknown>) => resolveToken(options.token, typeof context.organisation === 'string' ? context.organisation : undefined);
  return got.extend({
    prefixUrl: options.baseUrl,
    responseType: 'json',
    timeout: { request: options.timeoutMs ?? DEFAULT_TIMEOUT_MS },
    retry: {
      limit: options.retryLimit ?? DEFAULT_RETRY_LIMIT,
      methods: [...options.retryMethods],
      statusCodes: RETRY_STATUS_CODES,
      maxRetryAfter: maxRetryAfterMs,
      backoffLimit: options.backoffLimitMs ?? DEFAULT_BACKOFF_LIMIT_MS,
    },
    hooks: {
      beforeRequest: [
        // Waits before the send are not part of the request's timeout, which starts once the request is sent.
        async (request) => {
          const token = tokenOf(request.context);
          const signal = request.signal as AbortSignal | undefined;
          // A Retry-After the platform gave this token, then the fleet's budget, then the
          // Retry-After again: a 429 may have come while the budget had this call wait.
          if (token) await gate.pass(token, maxRetryAfterMs, signal);
          if (!options.budget) return;
          await options.budget.acquire(signal);
          if (token) await gate.pass(token, maxRetryAfterMs, signal);
        },
        (request) => {
          const token = tokenOf(request.context);
          if (token) request.headers.authorization = `${options.authScheme} ${token}`;
        },
      ],
      afterResponse: [
        (response) => {
          const status = response.statusCode;
          const waitMs = status === 429 || status === 503 ? parseRetryAfter(response.headers['retry-after']) : undefined;
          const token = tokenOf(response.request.options.context);
          if (waitMs !== undefined && waitMs > 0 && token) {
            gate.hold(token, waitMs);
            logger.warn({ platform: options.platform, status, retryAfterMs: waitMs }, 'platform API asked to wait (Retry-After); holding this token\'s requests');
          }
          return response;
        },
      ],
      beforeRetry: [
        (error) => reportApiError(options, error.options.method, failureStatus(error)),
        (error, retryCount) => {
          // Method, path and status only: the error's options hold the headers.
          const url = error.options.url;
          logger.warn(
            {
              platform: options.platform,
              method: error.options.method,
              path: url instanceof URL ? url.pathname : undefined,
              status: error.response?.statusCode,
              code: error.code,
              retryCount,
            },
            'platform API call failed, retrying',
          );
        },
      ],
    },
  });
}

/** `createGot` plus request(): validation and error mapping for one platform. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const instance = createGot(options);
  const base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  return {
    platform: options.platform,
    pathname: (path) => new URL(path.replace(/^\/+/, ''), base).pathname,
    async request(method, path, schema, requestOptions = {}) {
      const relative = path.replace(/^\/+/, '');
      const where = { platform: options.platform, method, path: new URL(relative, base).pathname };
      const token = resolveToken(options.token, requestOptions.organisation);
      if (!token) {
        // Final, like a 401 would be, but without sending anything.
        throw new PlatformApiError({
          ...where,
          code: 'missing_token',
          apiMessage: `no ${options.platform} API token configured${requestOptions.organisation ? ` for organisation ${requestOptions.organisation}` : ''}`,
        });
      }
      const signal = requestOptions.signal ?? options.callSignal?.();
      let response;
      try {
        response = await instance(relative, {
          method,
          searchParams: requestOptions.searchParams ? { ...requestOptions.searchParams } : undefined,
          json: requestOptions.json,
          signal,
          context: { organisation: requestOptions.organisation },
        });
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        // got wraps what a hook throws: a budget spent too far ahead, or a Retry-After with
        // too long left, sent nothing, and says when to come back.
        const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
        if (cause instanceof ApiBudgetExhaustedError) throw new PlatformApiError({ ...where, code: 'budget_exhausted', apiMessage: cause.message, retryAfterMs: cause.retryAfterMs });
        if (cause instanceof RetryAfterPendingError) throw new PlatformApiError({ ...where, code: 'retry_after', apiMessage: cause.message, retryAfterMs: cause.retryAfterMs });
        reportApiError(options, method, failureStatus(error));
        throw toPlatformApiError(error, { ...where, timeoutMs, token, parseErrorBody: options.parseErrorBody });
      }
      const parsed = schema.safeParse(response.body);
      if (!parsed.success) {
        reportApiError(options, method, 'invalid_response');
        const details = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.length ? issue.path.join('.') : 'body'}: ${issue.message}`);
        throw new PlatformApiError({
          ...where,
          status: response.statusCode,
          code: 'invalid_response',
          apiMessage: `unexpected response body at ${details[0] ?? 'body'}`,
          details,
        });
      }
      return parsed.data;
    },
  };
}

/** The `status` an `ApiErrorEvent` gets for a failure from got. */
function failureStatus(error: unknown): string {
  if (error instanceof HTTPError) return String(error.response.statusCode);
  if (error instanceof TimeoutError) return 'timeout';
  if (error instanceof ParseError) return 'invalid_response';
  return 'network';
}

function reportApiError(options: HttpClientOptions, method: string, status: string): void {
  try {
    options.onApiError?.({ platform: options.platform, method, status });
  } catch {
    // Counting must never fail a call.
  }
}

interface ErrorContext {
  readonly platform: PlatformName;
  readonly method: string;
  readonly path: string;
  readonly timeoutMs: number;
  readonly token: string;
  readonly parseErrorBody: (body: unknown) => ApiErrorBody | undefined;
}

/** Milliseconds from a `Retry-After` header: delta-seconds or an HTTP date. */
export function parseRetryAfter(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

const STATUS_CODES: Readonly<Record<number, string>> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  408: 'request_timeout',
  409: 'conflict',
  422: 'unprocessable_entity',
  429: 'rate_limited',
};

/**
 * Rebuilds a got failure as a `PlatformApiError` holding only plain facts. got's error
 * is deliberately not the `cause`: it references the request options and headers.
 */
function toPlatformApiError(error: unknown, context: ErrorContext): PlatformApiError {
  const { platform, method, path } = context;
  // An API that echoes a request header back must not smuggle the token out.
  const scrub = (text: string) => (context.token ? text.split(context.token).join('[redacted]') : text);

  if (error instanceof HTTPError) {
    const status = error.response.statusCode;
    const body = context.parseErrorBody(error.response.body);
    const fallback = typeof error.response.body === 'string' && error.response.body.trim() ? error.response.body.trim().slice(0, 200) : undefined;
    return new PlatformApiError({
      platform,
      method,
      path,
      status,
      code: body?.code ?? STATUS_CODES[status] ?? (status >= 500 ? 'server_error' : `http_${status}`),
      apiMessage: scrub(body?.message ?? fallback ?? error.response.statusMessage ?? `HTTP ${status}`),
      details: body?.details?.map(scrub),
      retryAfterMs: parseRetryAfter(error.response.headers['retry-after']),
    });
  }
  const attempts = error instanceof RequestError && error.request ? error.request.retryCount + 1 : 1;
  const tries = attempts > 1 ? ` (${attempts} attempts)` : '';
  if (error instanceof TimeoutError) {
    return new PlatformApiError({ platform, method, path, code: 'timeout', apiMessage: `no response within ${context.timeoutMs} ms${tries}` });
  }
  if (error instanceof ParseError) {
    return new PlatformApiError({
      platform,
      method,
      path,
      status: error.response.statusCode,
      code: 'invalid_response',
      apiMessage: 'response body is not JSON',
    });
  }
  if (error instanceof RequestError) {
    return new PlatformApiError({ platform, method, path, code: 'network', apiMessage: `request failed: ${error.code}${tries}` });
  }
  // Not from got (a bug in a hook, say): keep the name, drop everything else.
  const name = error instanceof Error ? error.name : typeof error;
  return new PlatformApiError({ platform, method, path, code: 'network', apiMessage: `request failed: ${name}` });
}
