/**
 * A worker's health, as a container healthcheck asks it: has a worker of this host
 * (the SDK's default identity is `<pid>@<hostname>`, and a container is its own host)
 * polled its task queue lately? A worker whose process is up but whose connection or
 * poll loop is stuck stops polling, and this notices; a live process alone proves
 * nothing. Asks the Temporal server, which keeps each poller's last poll time.
 *
 * Run it with the worker's environment: `node dist/worker-health.js`. Exits 0 when
 * healthy, else 1 with one line saying why.
 */
import { hostname } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Client, Connection } from '@temporalio/client';
// CommonJS: Node's ESM loader sees only its default export.
import proto from '@temporalio/proto';
import { loadTemporalTarget } from './temporal-config.js';

/** A worker long-polls for about a minute at a time, so two minutes without a poll is not idling. */
export const MAX_POLL_SILENCE_MS = 120_000;

const { TaskQueueKind, TaskQueueType } = proto.temporal.api.enums.v1;

export interface WorkerHealthQuery {
  readonly client: Client;
  readonly taskQueue: string;
  /** The host whose workers count: this one by default. */
  readonly host?: string;
  readonly now?: number;
}

/**
 * Undefined when a worker of `host` polled the task queue (workflow or activity tasks) within
 * MAX_POLL_SILENCE_MS; else why not.
 */
export async function workerHealthProblem({
  client,
  taskQueue,
  host = hostname(),
  now = Date.now(),
}: WorkerHealthQuery): Promise<string | undefined> {
  let lastPoll = 0;
  // Either kind will do: a worker whose activity slots are all busy stops polling for activities.
  for (const taskQueueType of [TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY]) {
    const { pollers } = await client.workflowService.describeTaskQueue({
      namespace: client.options.namespace,
      taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType,
    });
    for (const poller of pollers ?? []) {
      if (!poller.identity?.endsWith(`@${host}`) || !poller.lastAccessTime?.seconds) continue;
      lastPoll = Math.max(lastPoll, Number(poller.lastAccessTime.seconds) * 1000);
    }
  }
  if (lastPoll === 0) return `no worker on ${host} polls task queue ${taskQueue}`;
  const silence = now - lastPoll;
  return silence > MAX_POLL_SILENCE_MS
    ? `the worker on ${host} last polled task queue ${taskQueue} ${Math.round(silence / 1000)} s ago`
    : undefined;
}

async function main(): Promise<void> {
  const target = loadTemporalTarget();
  const address = target.connectionOptions.address;
  const problem = await (async () => {
    const connection = await Connection.connect({ ...target.connectionOptions, connectTimeout: '5s' });
    try {
      return await workerHealthProblem({
        client: new Client({ connection, namespace: target.namespace }),
        taskQueue: target.taskQueue,
      });
    } finally {
      await connection.close();
    }
  })().catch(
    (error: unknown) => `cannot ask Temporal at ${address}: ${error instanceof Error ? error.message : String(error)}`,
  );
  if (problem) {
    console.error(`unhealthy: ${problem}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
