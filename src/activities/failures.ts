/**
 * Turns platform errors into Temporal failures the retry policy understands:
 * retryable API errors stay retryable and jump to `Retry-After`; the rest are final.
 * Only the error's message crosses into history: it names the request and the API's
 * message, never a token.
 */
import { ApplicationFailure } from '@temporalio/common';
import { PlatformApiError, PlatformConfigError } from '../platforms/errors.js';
import { descriptorOf } from '../platforms/registry.js';

export const PLATFORM_API_ERROR = 'PlatformApiError';
export const PLATFORM_API_ERROR_FINAL = 'PlatformApiErrorFinal';
export const PLATFORM_CONFIG_ERROR = 'PlatformConfigError';

/**
 * What an operator should do about a refused token. A 401 or 403 reads as a bad request
 * otherwise, and the fix is in the worker's environment, not in the spec. Names the
 * variable, never its value.
 */
export function authHint(error: PlatformApiError): string | undefined {
  // Where the worker's token for the platform comes from (platforms/config.ts).
  const variable = descriptorOf(error.platform).env.token;
  if (error.status === 401) return `the ${error.platform} API did not accept the worker's token: check ${variable}`;
  if (error.status === 403)
    return `the worker's ${error.platform} token may not do this: check that ${variable} holds a token for this organisation`;
  return undefined;
}

export function toFailure(error: unknown): unknown {
  // A worker without the platform's token cannot succeed by retrying: say so once.
  if (error instanceof PlatformConfigError)
    return ApplicationFailure.nonRetryable(error.message, PLATFORM_CONFIG_ERROR);
  if (!(error instanceof PlatformApiError)) return error;
  const hint = authHint(error);
  return ApplicationFailure.create({
    type: error.retryable ? PLATFORM_API_ERROR : PLATFORM_API_ERROR_FINAL,
    message: hint ? `${error.message}; ${hint}` : error.message,
    nonRetryable: !error.retryable,
    details: [{ platform: error.platform, status: error.status ?? null, code: error.code }],
    ...(error.retryAfterMs !== undefined ? { nextRetryDelay: error.retryAfterMs } : {}),
  });
}

/** Runs `fn`, rethrowing platform errors as Temporal failures. */
export async function withPlatformFailures<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toFailure(error);
  }
}
