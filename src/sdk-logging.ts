/**
 * Installs the Temporal SDK's runtime the way fleetwave wants it: one stream of JSON
 * lines, and (when asked) one Prometheus endpoint.
 *
 * Logs: the SDK's own lines (worker state, activity and workflow task failures), the
 * lines workflow code writes through `log` from `@temporalio/workflow` (silent during
 * replay), and the native core's (forwarded; by default core prints them to stderr as
 * coloured text) all go into fleetwave's pino logger. Lines about a rollout's workflows
 * carry `rolloutId` and `clusterId`, from the workflow id (log-context.ts).
 *
 * Metrics: the SDK's `temporal_*` metrics and fleetwave's own (domain/metrics.ts, sent
 * through the SDK's metric meters from workflows and activities) on `/metrics`.
 *
 * `Runtime.install` must run before any connection or worker is created, once per process.
 */
import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';
import {
  API_BUDGET_WAIT_BUCKETS,
  API_BUDGET_WAIT_SECONDS,
  CLUSTER_UPGRADE_DURATION_BUCKETS,
  CLUSTER_UPGRADE_DURATION_SECONDS,
} from './domain/metrics.js';
import { rolloutOfWorkflow } from './log-context.js';
import type { Logger } from './logger.js';

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

export interface SdkMetricsOptions {
  /** `host:port` of the Prometheus endpoint (`/metrics`), an IP literal: the SDK does not resolve names. */
  readonly bindAddress: string;
}

/**
 * Installs the SDK runtime with its logs sent to `logger` from `level` up and, with
 * `metrics`, a Prometheus endpoint. Throws when the endpoint cannot be served (the
 * address in use, say); nothing has connected by then.
 */
export function installSdkLogging(logger: Logger, level: LogLevel = 'INFO', metrics?: SdkMetricsOptions): void {
  const sdk = logger.child({ component: 'temporal-sdk' });
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => sdk[PINO_LEVEL[entry.level]](fieldsOf(entry), entry.message)),
    telemetryOptions: {
      // The SDK's default filter, forwarded to the logger above instead of printed.
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      ...(metrics
        ? {
            metrics: {
              prometheus: {
                bindAddress: metrics.bindAddress,
                histogramBucketOverrides: {
                  [CLUSTER_UPGRADE_DURATION_SECONDS]: [...CLUSTER_UPGRADE_DURATION_BUCKETS],
                  [API_BUDGET_WAIT_SECONDS]: [...API_BUDGET_WAIT_BUCKETS],
                },
              },
            },
          }
        : {}),
    },
  });
}

/** The SDK level matching a pino level: the SDK's lines follow FLEET_LOG_LEVEL. */
export function sdkLogLevel(pinoLevel: string): LogLevel {
  switch (pinoLevel) {
    case 'trace':
      return 'TRACE';
    case 'debug':
      return 'DEBUG';
    case 'info':
      return 'INFO';
    case 'warn':
      return 'WARN';
    default:
      return 'ERROR';
  }
}

/**
 * An SDK entry's metadata as log fields: an error under pino's `err` (so its message and stack
 * show), the rollout and cluster it is about.
 */
function fieldsOf(entry: LogEntry): Record<string, unknown> {
  const { error, ...meta } = entry.meta ?? {};
  const about = rolloutOfWorkflow(stringOr(meta.workflowType), stringOr(meta.workflowId));
  return { ...about, ...meta, ...(error !== undefined ? { err: error } : {}) };
}

const stringOr = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
