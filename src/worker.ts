/**
 * The worker process: connects to Temporal the way @temporalio/envconfig reads the
 * environment, registers the workflows and the activities (built around the platform
 * clients from the environment), serves Prometheus metrics when `FLEET_METRICS_ADDRESS`
 * says where, and shuts down gracefully on SIGINT/SIGTERM, letting running activities
 * finish within `shutdownGraceTime` (`FLEET_WORKER_SHUTDOWN_GRACE_TIME`), then exits 0.
 * At start it says which platforms it can serve and whether its namespace has fleetwave's
 * search attributes (worker-startup.ts; `FLEET_WORKER_REQUIRE_NAMESPACE=true` refuses to
 * start without them).
 *
 * Run it with `fleet worker`, or directly: `tsx src/worker.ts`.
 */
import { pathToFileURL } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { activityCancellationSignal, countApiError } from './activities/client-hooks.js';
import { createTemporalCallBudget } from './activities/call-budget.js';
import type { PlatformName } from './domain/platform.js';
import { createActivities, type ActivityDeps } from './activities/index.js';
import { createLogger, type Logger } from './logger.js';
import { notifyChannelsFromEnv } from './notify/channels.js';
import { createPlatformClients, platformConfigFromEnv } from './platforms/index.js';
import { installSdkLogging, sdkLogLevel } from './sdk-logging.js';
import { loadTemporalTarget, type TemporalOverrides } from './temporal-config.js';
import { WORKFLOWS_PATH } from './workflow-bundle.js';
import { checkNamespaceAtStart, reportPlatforms } from './worker-startup.js';
import {
  WORKER_ENV,
  WorkerConfigError,
  workerConfigFromEnv,
  type WorkerConfig,
  type WorkerTuning,
} from './worker-config.js';

export { WORKFLOWS_PATH };

export interface FleetWorkerOptions {
  readonly connection: NativeConnection;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly deps: ActivityDeps;
  /** A prebuilt bundle (`bundleWorkflowCode`); the workflows are bundled at start when absent. */
  readonly workflowBundle?: WorkerOptions['workflowBundle'];
  /** How long running activities may finish after shutdown is asked (default 10 s). */
  readonly shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
  /** Passed through for tuning and tests (e.g. `maxCachedWorkflows: 0`). */
  readonly tuning?: WorkerTuning;
}

export async function createFleetWorker(options: FleetWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(options.deps),
    shutdownGraceTime: options.shutdownGraceTime ?? '10s',
    ...options.tuning,
  });
}

/**
 * Activity dependencies from the environment: platform URLs, tokens and API budgets,
 * and the notification channels (see docs/configuration.md). A platform with a budget
 * asks the fleet's budget workflow before each call, through `temporal`; without
 * `temporal`, budgets are not kept (tests that want calls unthrottled). Calls belong to
 * the activity making them: failed attempts are counted on its metric meter
 * (`fleet_api_errors_total`), and they stop when it is cancelled (activities/client-hooks.ts).
 */
export function depsFromEnv(
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
  temporal?: { client: Client; taskQueue: string },
): ActivityDeps {
  const fromEnv = platformConfigFromEnv(env);
  const config = {
    ...fromEnv,
    http: { ...fromEnv.http, onApiError: countApiError, callSignal: activityCancellationSignal },
  };
  const budgeted = (platform: PlatformName) => (temporal ? config.budgets[platform].ratePerMinute : 0);
  const clients = createPlatformClients(config, logger, (platform) =>
    temporal && budgeted(platform) > 0
      ? createTemporalCallBudget({ ...temporal, platform, ...config.budgets[platform] })
      : undefined,
  );
  return {
    clientFor: (platform) => clients.get(platform),
    logger,
    apiRatePerMinute: budgeted,
    notifyChannels: notifyChannelsFromEnv(env),
  };
}

/** Runs a worker until SIGINT/SIGTERM. Resolves once it has shut down. */
export async function runWorker(overrides: TemporalOverrides = {}, logger: Logger = createLogger()): Promise<void> {
  // Read before anything connects: a bad setting fails the start in one line naming it.
  const config = workerConfigFromEnv();
  installRuntime(logger, config);
  const target = loadTemporalTarget(overrides);
  const connection = await NativeConnection.connect(target.connectionOptions);
  // The activities' own client: the API budget workflow is asked through it.
  const clientConnection = await Connection.connect(target.connectionOptions);
  try {
    const client = new Client({ connection: clientConnection, namespace: target.namespace });
    // Before the bundle and the first poll: what this worker cannot do is said now, not by a rollout that waits.
    await checkNamespaceAtStart(clientConnection, target.namespace, { require: config.requireNamespace, logger });
    reportPlatforms(platformConfigFromEnv(process.env), logger);
    const deps = depsFromEnv(logger, process.env, { client, taskQueue: target.taskQueue });
    logWorkflowSource(logger, config);
    const worker = await createFleetWorker({
      connection,
      namespace: target.namespace,
      taskQueue: target.taskQueue,
      deps,
      ...(config.workflowBundlePath ? { workflowBundle: { codePath: config.workflowBundlePath } } : {}),
      shutdownGraceTime: config.shutdownGraceTimeMs,
      tuning: config.tuning,
    });
    logger.info(
      {
        address: target.connectionOptions.address,
        namespace: target.namespace,
        taskQueue: target.taskQueue,
        shutdownGraceMs: config.shutdownGraceTimeMs,
        ...(config.metricsAddress ? { metrics: `http://${config.metricsAddress}/metrics` } : {}),
      },
      'worker started',
    );
    // Worker.runUntil is not needed: the SDK's Runtime listens for SIGINT, SIGTERM,
    // SIGQUIT and SIGUSR2 (RuntimeOptions.shutdownSignals) and shuts down every running
    // worker: polling stops, running activities get shutdownGraceTime to finish, then
    // they are cancelled (their platform calls abort, see client-hooks.ts), and run()
    // resolves once in-flight work drained.
    await worker.run();
    logger.info('worker stopped');
  } finally {
    await clientConnection.close();
    await connection.close();
  }
}

/** The SDK runtime: its logs into `logger` at the same level, and the metrics endpoint if asked for. */
function installRuntime(logger: Logger, config: WorkerConfig): void {
  try {
    installSdkLogging(
      logger,
      sdkLogLevel(logger.level),
      config.metricsAddress ? { bindAddress: config.metricsAddress } : undefined,
    );
  } catch (error) {
    if (!config.metricsAddress) throw error;
    // Typically the port is taken; nothing has connected yet.
    const why = error instanceof Error ? error.message : String(error);
    throw new WorkerConfigError(
      `${WORKER_ENV.metricsAddress}: cannot serve metrics on ${config.metricsAddress}: ${why}`,
      WORKER_ENV.metricsAddress,
    );
  }
}

function logWorkflowSource(logger: Logger, config: WorkerConfig): void {
  if (config.workflowBundlePath)
    logger.info({ workflowBundle: config.workflowBundlePath }, 'using the prebuilt workflow bundle');
  else
    logger.info(
      { workflowsPath: WORKFLOWS_PATH },
      'bundling the workflows at start (FLEET_WORKFLOW_BUNDLE names a prebuilt bundle)',
    );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runWorker();
}
