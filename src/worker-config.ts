/**
 * The worker's own settings from the environment: which workflow code it runs and how
 * much it takes on at once. Read and checked before the worker connects to anything,
 * so a typo fails the start in one line that names the variable, instead of a worker
 * that runs with a silently corrected value (the SDK only warns and adjusts).
 *
 * | variable | default | SDK option |
 * | --- | --- | --- |
 * | `FLEET_WORKFLOW_BUNDLE` | bundle at start | `workflowBundle: { codePath }` |
 * | `FLEET_WORKER_MAX_CACHED_WORKFLOWS` | SDK: from the heap size | `maxCachedWorkflows` (0 or >= 2) |
 * | `FLEET_WORKER_MAX_CONCURRENT_ACTIVITIES` | SDK: 100 | `maxConcurrentActivityTaskExecutions` |
 * | `FLEET_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS` | SDK: 40 | `maxConcurrentWorkflowTaskExecutions` (>= 2) |
 * | `FLEET_WORKER_SHUTDOWN_GRACE_TIME` | `10s` | `shutdownGraceTime` |
 * | `FLEET_WORKER_STICKY_TIMEOUT` | `60s` (SDK: 10s) | `stickyQueueScheduleToStartTimeout` |
 * | `FLEET_METRICS_ADDRESS` | off | Runtime `telemetryOptions.metrics.prometheus.bindAddress` |
 * | `FLEET_WORKER_REQUIRE_NAMESPACE` | `false` | - (refuse to start without fleetwave's search attributes) |
 *
 * The sticky timeout (how long a task waits for the worker that has its workflow cached,
 * before another takes it and replays the history) is 60 s: at the SDK's 10 s a rollout
 * of 1,000 clusters stalled in replays; a dead worker delays only the tasks already
 * queued for it (see docs/development.md#worker-configts-the-sticky-timeout).
 *
 * Metrics are off unless asked for: a fixed default port would make a second worker on
 * the same host (or the demo beside a worker) fail to start, and a worker should not
 * open a port nobody asked for. A port alone binds loopback; any other host is the
 * operator's explicit choice (`0.0.0.0:9464` for a Prometheus outside the container).
 */
import { statSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { resolve } from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';
import { ConfigError } from './domain/config-error.js';
import { parseDuration } from './domain/durations.js';
import { HEALTH_ENV_PREFIX } from './domain/health.js';
import { didYouMean } from './domain/suggest.js';
import { LOGGER_ENV_VARS } from './logger.js';
import { NOTIFY_ENV_PREFIX, NOTIFY_ENV_VARS } from './notify/channels.js';
import { PLATFORM_ENV_VARS } from './platforms/config.js';
import { TEMPORAL_ENV_VARS } from './temporal-config.js';

export const WORKER_ENV = {
  workflowBundle: 'FLEET_WORKFLOW_BUNDLE',
  maxCachedWorkflows: 'FLEET_WORKER_MAX_CACHED_WORKFLOWS',
  maxConcurrentActivities: 'FLEET_WORKER_MAX_CONCURRENT_ACTIVITIES',
  maxConcurrentWorkflowTasks: 'FLEET_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS',
  shutdownGraceTime: 'FLEET_WORKER_SHUTDOWN_GRACE_TIME',
  stickyTimeout: 'FLEET_WORKER_STICKY_TIMEOUT',
  metricsAddress: 'FLEET_METRICS_ADDRESS',
  requireNamespace: 'FLEET_WORKER_REQUIRE_NAMESPACE',
} as const;

/**
 * Every variable a worker process reads (the Temporal connection, the platforms, the
 * logger and the worker's own), so deployment files can be checked against it.
 * `TEMPORAL_GRPC_META_*` is a prefix: envconfig sends each as a gRPC header.
 * `FLEET_NOTIFY_<NAME>_URL` and its kin are patterns: `<NAME>` is a channel's name (isWorkerEnvVar).
 * `FLEET_HEALTH_*` is a prefix: the variables health checks' headers may read (named by specs).
 */
export const WORKER_PROCESS_ENV_VARS: readonly string[] = [
  ...TEMPORAL_ENV_VARS,
  ...PLATFORM_ENV_VARS,
  ...LOGGER_ENV_VARS,
  ...Object.values(WORKER_ENV),
  ...NOTIFY_ENV_VARS,
  `${HEALTH_ENV_PREFIX}*`,
];

/**
 * Whether a worker reads `name`: listed, or matching a prefix (`*`) or a `<NAME>` pattern of
 * WORKER_PROCESS_ENV_VARS.
 */
export function isWorkerEnvVar(name: string): boolean {
  return WORKER_PROCESS_ENV_VARS.some((known) => {
    if (known === name) return true;
    if (known.endsWith('*')) return name.startsWith(known.slice(0, -1));
    const [before, after] = known.split('<NAME>');
    return (
      after !== undefined &&
      name.length > before!.length + after.length &&
      name.startsWith(before!) &&
      name.endsWith(after) &&
      /^[A-Z0-9_]+$/.test(name.slice(before!.length, -after.length))
    );
  });
}

/** Families only fleetwave reads (FLEET_*, a platform's): TEMPORAL_* is shared with Temporal's own tools. */
const OWN_PREFIXES = [
  ...new Set([...PLATFORM_ENV_VARS, ...Object.values(WORKER_ENV)].map((n) => `${n.split('_')[0]}_`)),
];
const FAMILY = 'FLEET_WORKER_';

/**
 * A variable of fleetwave's families that the worker does not read is a typo that would
 * leave a setting at its default in silence: refused when it is a near miss of one it reads
 * (`FLEET_WORKER_MAX_CACHED_WORKFLOW`), or in the worker's own FLEET_WORKER_* family.
 * Other FLEET_* names are the CLI's, tests' and benches'; FLEET_NOTIFY_* has its own rules.
 */
function refuseMisspeltVariables(env: NodeJS.ProcessEnv): void {
  const known = WORKER_PROCESS_ENV_VARS.filter((name) => /^[A-Z0-9_]+$/.test(name));
  const ours = (name: string) =>
    OWN_PREFIXES.some((prefix) => name.startsWith(prefix)) && !name.startsWith(NOTIFY_ENV_PREFIX);
  for (const name of Object.keys(env).sort()) {
    if (!ours(name) || isWorkerEnvVar(name) || !nonEmpty(env[name])) continue;
    const family = known.filter((k) => k.startsWith(FAMILY));
    const hint = didYouMean(name, known) ?? (name.startsWith(FAMILY) ? `it reads ${family.join(', ')}` : undefined);
    if (hint) throw new WorkerConfigError(`${name} is not a variable the worker reads; ${hint}`, name);
  }
}

export const DEFAULT_SHUTDOWN_GRACE_TIME_MS = 10_000;
export const DEFAULT_STICKY_TIMEOUT_MS = 60_000;

export type WorkerTuning = Pick<
  WorkerOptions,
  | 'maxCachedWorkflows'
  | 'maxConcurrentActivityTaskExecutions'
  | 'maxConcurrentWorkflowTaskExecutions'
  | 'stickyQueueScheduleToStartTimeout'
>;

export interface WorkerConfig {
  /** Absolute path of a prebuilt bundle; absent: bundle the workflows at start. */
  readonly workflowBundlePath?: string;
  readonly shutdownGraceTimeMs: number;
  readonly tuning: WorkerTuning;
  /** `host:port` (an IP literal) of the Prometheus endpoint; absent: no metrics endpoint. */
  readonly metricsAddress?: string;
  /** Refuse to start when the namespace lacks fleetwave's search attributes (false: warn and start). */
  readonly requireNamespace: boolean;
}

/** A worker setting that cannot be used; always names the variable to fix. */
export class WorkerConfigError extends ConfigError {
  constructor(
    message: string,
    override readonly variable: string,
  ) {
    super(message, variable);
  }
}

export function workerConfigFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  refuseMisspeltVariables(env);
  const maxCachedWorkflows = wholeNumber(env, WORKER_ENV.maxCachedWorkflows, 0);
  if (maxCachedWorkflows === 1) {
    throw new WorkerConfigError(
      `${WORKER_ENV.maxCachedWorkflows} must be 0 (no cache) or at least 2, got 1`,
      WORKER_ENV.maxCachedWorkflows,
    );
  }
  const maxConcurrentActivityTaskExecutions = wholeNumber(env, WORKER_ENV.maxConcurrentActivities, 1);
  const maxConcurrentWorkflowTaskExecutions = wholeNumber(env, WORKER_ENV.maxConcurrentWorkflowTasks, 2);
  if (
    maxCachedWorkflows &&
    maxConcurrentWorkflowTaskExecutions &&
    maxConcurrentWorkflowTaskExecutions > maxCachedWorkflows
  ) {
    throw new WorkerConfigError(
      `${WORKER_ENV.maxConcurrentWorkflowTasks} (${maxConcurrentWorkflowTaskExecutions}) cannot exceed ${WORKER_ENV.maxCachedWorkflows} (${maxCachedWorkflows}) unless the cache is off (0)`,
      WORKER_ENV.maxConcurrentWorkflowTasks,
    );
  }
  const workflowBundlePath = bundlePath(env);
  const metrics = metricsAddress(env);
  return {
    ...(workflowBundlePath ? { workflowBundlePath } : {}),
    shutdownGraceTimeMs: duration(env, WORKER_ENV.shutdownGraceTime) ?? DEFAULT_SHUTDOWN_GRACE_TIME_MS,
    tuning: {
      ...(maxCachedWorkflows !== undefined ? { maxCachedWorkflows } : {}),
      ...(maxConcurrentActivityTaskExecutions !== undefined ? { maxConcurrentActivityTaskExecutions } : {}),
      ...(maxConcurrentWorkflowTaskExecutions !== undefined ? { maxConcurrentWorkflowTaskExecutions } : {}),
      stickyQueueScheduleToStartTimeout: duration(env, WORKER_ENV.stickyTimeout) ?? DEFAULT_STICKY_TIMEOUT_MS,
    },
    ...(metrics ? { metricsAddress: metrics } : {}),
    requireNamespace: flag(env, WORKER_ENV.requireNamespace),
  };
}

/**
 * `host:port` with an IP literal (the SDK resolves no names; `localhost` is taken as
 * 127.0.0.1), `[v6]:port`, or a port alone, which binds loopback.
 */
function metricsAddress(env: NodeJS.ProcessEnv): string | undefined {
  const name = WORKER_ENV.metricsAddress;
  const text = nonEmpty(env[name]);
  if (text === undefined) return undefined;
  const match = /^(?:(?:\[([^\]]+)\]|([^:[\]]+)):)?(\d{1,5})$/.exec(text);
  const [, v6, named, portText] = match ?? [];
  const host = v6 ?? (named === undefined || named === 'localhost' ? '127.0.0.1' : named);
  const port = Number(portText);
  if (!match || !(v6 ? isIPv6(v6) : isIPv4(host)) || port < 1 || port > 65_535) {
    throw new WorkerConfigError(
      `${name} must be host:port with an IP address (127.0.0.1:9464, [::1]:9464, 0.0.0.0:9464) or a port alone (binds 127.0.0.1), got ${JSON.stringify(text)}`,
      name,
    );
  }
  return v6 ? `[${host}]:${port}` : `${host}:${port}`;
}

function bundlePath(env: NodeJS.ProcessEnv): string | undefined {
  const text = nonEmpty(env[WORKER_ENV.workflowBundle]);
  if (text === undefined) return undefined;
  const path = resolve(text);
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch {
    // Missing or unreadable: the same answer below.
  }
  if (!isFile) {
    throw new WorkerConfigError(
      `${WORKER_ENV.workflowBundle}: no workflow bundle at ${path} (build one with \`npm run build\`, or unset the variable to bundle at start)`,
      WORKER_ENV.workflowBundle,
    );
  }
  return path;
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, min: number): number | undefined {
  const text = nonEmpty(env[name]);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min)
    throw new WorkerConfigError(`${name} must be a whole number >= ${min}, got ${JSON.stringify(text)}`, name);
  return value;
}

function duration(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const text = nonEmpty(env[name]);
  if (text === undefined) return undefined;
  const value = parseDuration(text);
  if (value === undefined)
    throw new WorkerConfigError(`${name} must be a duration such as "30s" or "2m", got ${JSON.stringify(text)}`, name);
  return value;
}

/** `true`/`1` or `false`/`0` (unset: false). */
function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const text = nonEmpty(env[name])?.toLowerCase();
  if (text === undefined || text === 'false' || text === '0') return false;
  if (text === 'true' || text === '1') return true;
  throw new WorkerConfigError(`${name} must be true or false, got ${JSON.stringify(env[name])}`, name);
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
