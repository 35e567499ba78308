/**
 * The HTTP layer both platform clients share: one got instance per client, configured
 * for JSON APIs that sit behind a token, plus `request()`, which sends, validates the
 * body with a zod schema and turns every failure into a `PlatformApiError`.
 *
 * Two rules shape this file:
 * - Retry only what is safe to repeat. GET and DELETE are; so is Aether's PUT (it sets a
 *   desired state). Avisi's POST is not: a second POST supersedes the first. Each
 *   client names its safe methods.
 * - Nothing got built leaves the HTTP layer. got's errors carry the request options,
 *   headers included, so the token would ride along into Temporal histories. Errors
 *   are rebuilt (http-failures.ts) from the few facts we need (status, the API's own
 *   message, the path).
 *
 * A `Retry-After` (on a 429 or 503) holds every request of the client that uses the
 * same token until it has passed, not only the retry of the request it came with: the
 * platforms rate-limit per token (retry-after-gate.ts).
 */
import { got, type Got } from 'got';
import { ApiBudgetExhaustedError, PlatformApiError } from './errors.js';
import { failureStatus, parseRetryAfter, reportApiError, toPlatformApiError } from './http-failures.js';
import {
  DEFAULT_BACKOFF_LIMIT_MS,
  DEFAULT_MAX_RETRY_AFTER_MS,
  DEFAULT_RETRY_LIMIT,
  DEFAULT_TIMEOUT_MS,
  type HttpClient,
  type HttpClientOptions,
  type TokenSource,
} from './http-options.js';
import { RetryAfterGate, RetryAfterPendingError } from './retry-after-gate.js';
import { silentLogger } from '../logger.js';

// The options and failures live beside this file (http-options.ts, http-failures.ts); importers
// keep importing them from here.
export {
  DEFAULT_BACKOFF_LIMIT_MS,
  DEFAULT_MAX_RETRY_AFTER_MS,
  DEFAULT_RETRY_LIMIT,
  DEFAULT_TIMEOUT_MS,
} from './http-options.js';
export type {
  ApiErrorBody,
  ApiErrorEvent,
  CallBudget,
  HttpClient,
  HttpClientOptions,
  HttpTuning,
  RequestOptions,
  TokenSource,
} from './http-options.js';
export { parseRetryAfter } from './http-failures.js';

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
  const tokenOf = (context: Record<string, unknown>) =>
    resolveToken(options.token, typeof context.organisation === 'string' ? context.organisation : undefined);
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
          const waitMs =
            status === 429 || status === 503 ? parseRetryAfter(response.headers['retry-after']) : undefined;
          const token = tokenOf(response.request.options.context);
          if (waitMs !== undefined && waitMs > 0 && token) {
            gate.hold(token, waitMs);
            logger.warn(
              { platform: options.platform, status, retryAfterMs: waitMs },
              "platform API asked to wait (Retry-After); holding this token's requests",
            );
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
        if (cause instanceof ApiBudgetExhaustedError)
          throw new PlatformApiError({
            ...where,
            code: 'budget_exhausted',
            apiMessage: cause.message,
            retryAfterMs: cause.retryAfterMs,
          });
        if (cause instanceof RetryAfterPendingError)
          throw new PlatformApiError({
            ...where,
            code: 'retry_after',
            apiMessage: cause.message,
            retryAfterMs: cause.retryAfterMs,
          });
        reportApiError(options, method, failureStatus(error));
        throw toPlatformApiError(error, { ...where, timeoutMs, token, parseErrorBody: options.parseErrorBody });
      }
      const parsed = schema.safeParse(response.body);
      if (!parsed.success) {
        reportApiError(options, method, 'invalid_response');
        const details = parsed.error.issues
          .slice(0, 5)
          .map((issue) => `${issue.path.length ? issue.path.join('.') : 'body'}: ${issue.message}`);
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
