/**
 * Routes the Temporal SDK's own log lines (worker state, workflow task failures) into
 * fleetwave's structured logger, so a worker writes one stream of JSON lines.
 * `Runtime.install` must run before any connection or worker is created, once per process.
 */
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from './logger.js';

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** Installs the SDK runtime with its logs sent to `logger` from `level` up. */
export function installSdkLogging(logger: Logger, level: LogLevel = 'INFO'): void {
  const sdk = logger.child({ component: 'temporal-sdk' });
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => sdk[PINO_LEVEL[entry.level]]({ ...entry.meta }, entry.message)),
  });
}
