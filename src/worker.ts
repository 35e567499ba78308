/**
 * The worker process: connects to Temporal the way @temporalio/envconfig reads the
 * environment, registers the workflows and the activities (built around the platform
 * clients from the environment), and shuts down gracefully on SIGINT/SIGTERM, letting
 * running activities finish within `shutdownGraceTime`.
 *
 * Run it with `fleet worker`, or directly: `tsx src/worker.ts`.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities/index.js';
import { createLogger, type Logger } from './logger.js';
import { createPlatformClients, platformConfigFromEnv } from './platforms/index.js';
import { installSdkLogging } from './sdk-logging.js';
import { loadTemporalTarget, type TemporalOverrides } from './temporal-config.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));

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
  readonly tuning?: Pick<WorkerOptions, 'maxCachedWorkflows' | 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions'>;
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

/** Activity dependencies from the environment: platform URLs and tokens (see README). */
export function depsFromEnv(logger: Logger, env: NodeJS.ProcessEnv = process.env): ActivityDeps {
  const clients = createPlatformClients(platformConfigFromEnv(env), logger);
  return { clientFor: (platform) => clients.get(platform), logger };
}

/** Runs a worker until SIGINT/SIGTERM. Resolves once it has shut down. */
export async function runWorker(overrides: TemporalOverrides = {}, logger: Logger = createLogger()): Promise<void> {
  installSdkLogging(logger);
  const target = loadTemporalTarget(overrides);
  const connection = await NativeConnection.connect(target.connectionOptions);
  try {
    const worker = await createFleetWorker({ connection, namespace: target.namespace, taskQueue: target.taskQueue, deps: depsFromEnv(logger) });
    logger.info({ address: target.connectionOptions.address, namespace: target.namespace, taskQueue: target.taskQueue }, 'worker started');
    // Worker.runUntil is not needed: the SDK installs SIGINT/SIGTERM handlers that call
    // worker.shutdown(), and run() resolves once in-flight work drained.
    await worker.run();
    logger.info('worker stopped');
  } finally {
    await connection.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runWorker();
}
