/**
 * The one structured logger (pino, JSON lines). Child loggers carry context such as
 * `rolloutId` and `clusterId`. Authorization headers and anything named like a token are
 * redacted, so a token cannot reach a log line by accident.
 */
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/** The variables the logger reads. */
export const LOGGER_ENV_VARS = ['FLEET_LOG_LEVEL'] as const;

export const REDACTED_PATHS = [
  'token',
  '*.token',
  'apiKey',
  '*.apiKey',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
];

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino({
    level: process.env.FLEET_LOG_LEVEL ?? 'info',
    base: { service: 'fleetwave' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...options,
  });
}

/** A logger that drops everything: the default for library code and tests. */
export const silentLogger: Logger = pino({ level: 'silent' });
