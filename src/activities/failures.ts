/**
 * Turns platform errors into Temporal failures the retry policy understands:
 * retryable API errors stay retryable and jump to `Retry-After`; the rest are final.
 * Only the error's message crosses into history: it names the request and the API's
 * message, never a token.
 */
import { ApplicationFailure } from '@temporalio/common';
import { PlatformApiError, PlatformConfigError } from '../platforms/errors.js';

export const PLATFORM_API_ERROR = 'PlatformApiError';
export const PLATFORM_API_ERROR_FINAL = 'PlatformApiErrorFinal';
export const PLATFORM_CONFIG_ERROR = 'PlatformConfigError';

export function toFailure(error: unknown): unknown {
  // A worker without the platform's token cannot succeed by retrying: say so once.
  if (error instanceof PlatformConfigError) return ApplicationFailure.nonRetryable(error.message, PLATFORM_CONFIG_ERROR);
  if (!(error instanceof PlatformApiError)) return error;
  return ApplicationFailure.create({
    type: error.retryable ? PLATFORM_API_ERROR : PLATFORM_API_ERROR_FINAL,
    message: error.message,
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
