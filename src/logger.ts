/**
 * The one structured logger (pino, JSON lines). Every line carries the log context in
 * force where it is written (log-context.ts: an activity's `rolloutId`, `clusterId`,
 * `workflowId`, ...); child loggers add their own. Authorization headers and anything
 * named like a token are redacted, so a token cannot reach a log line by accident.
 */
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { currentLogContext } from './log-context.js';

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

/** JSON lines to stdout, or to `destination` (tests read them there). */
export function createLogger(options: LoggerOptions = {}, destination?: DestinationStream): Logger {
  const settings: LoggerOptions = {
    level: process.env.FLEET_LOG_LEVEL ?? 'info',
    base: { service: 'fleetwave' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // A fresh object each line: pino merges the line's own fields into it.
    mixin: () => ({ ...currentLogContext() }),
    ...options,
  };
  return destination ? pino(settings, destination) : pino(settings);
}

/** A logger that drops everything: the default for library code and tests. */
export const silentLogger: Logger = pino({ level: 'silent' });
