/**
 * What a failed call was (http.ts sends it): the status `onApiError` hears, the wait a
 * `Retry-After` asks for, and the `PlatformApiError` a got failure is rebuilt as, from
 * plain facts only: got's errors carry the request options, headers and token included.
 */
import { HTTPError, ParseError, RequestError, TimeoutError } from 'got';
import { PlatformApiError } from './errors.js';
import type { ApiErrorBody, HttpClientOptions } from './http-options.js';
import type { PlatformName } from './names.js';

/** The `status` an `ApiErrorEvent` gets for a failure from got. */
export function failureStatus(error: unknown): string {
  if (error instanceof HTTPError) return String(error.response.statusCode);
  if (error instanceof TimeoutError) return 'timeout';
  if (error instanceof ParseError) return 'invalid_response';
  return 'network';
}

export function reportApiError(options: HttpClientOptions, method: string, status: string): void {
  try {
    options.onApiError?.({ platform: options.platform, method, status });
  } catch {
    // Counting must never fail a call.
  }
}

export interface ErrorContext {
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
export function toPlatformApiError(error: unknown, context: ErrorContext): PlatformApiError {
  const { platform, method, path } = context;
  // An API that echoes a request header back must not smuggle the token out.
  const scrub = (text: string) => (context.token ? text.split(context.token).join('[redacted]') : text);

  if (error instanceof HTTPError) {
    const status = error.response.statusCode;
    const body = context.parseErrorBody(error.response.body);
    const fallback =
      typeof error.response.body === 'string' && error.response.body.trim()
        ? error.response.body.trim().slice(0, 200)
        : undefined;
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
    return new PlatformApiError({
      platform,
      method,
      path,
      code: 'timeout',
      apiMessage: `no response within ${context.timeoutMs} ms${tries}`,
    });
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
    return new PlatformApiError({
      platform,
      method,
      path,
      code: 'network',
      apiMessage: `request failed: ${error.code}${tries}`,
    });
  }
  // Not from got (a bug in a hook, say): keep the name, drop everything else.
  const name = error instanceof Error ? error.name : typeof error;
  return new PlatformApiError({ platform, method, path, code: 'network', apiMessage: `request failed: ${name}` });
}
