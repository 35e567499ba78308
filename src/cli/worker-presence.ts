/**
 * "Nothing waits in silence": whether anything picks a rollout up. A rollout whose task
 * queue no worker polls, or whose next workflow task no worker takes, waits for ever
 * without a word from Temporal; `start`, `plan`, `watch` and `start --wait` ask the
 * server (the task queue's pollers, the rollout's pending workflow task) and say so,
 * with what to do, while they keep waiting.
 */
import type { WorkflowClient, WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';
// CommonJS: Node's ESM loader sees only its default export.
import proto from '@temporalio/proto';
import { MAX_POLL_SILENCE_MS } from '../worker-health.js';

const { TaskQueueKind, TaskQueueType } = proto.temporal.api.enums.v1;

/** A workflow task no worker has taken for this long says more than a busy worker would. */
export const PICKUP_WAIT_MS = 30_000;
/** How often the task queue is asked (a describe of the rollout comes with each check anyway). */
const POLLERS_EVERY_MS = 5_000;
/** A problem that lasts is said again this often, so the last line on a screen says it too. */
const REPEAT_EVERY_MS = 60_000;

type Timestamp = { readonly seconds?: unknown; readonly nanos?: number | null } | null | undefined;
const msOf = (ts: Timestamp): number | undefined =>
  ts?.seconds === undefined || ts.seconds === null
    ? undefined
    : Number(ts.seconds) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);

/**
 * Workers that polled the task queue for workflow tasks within MAX_POLL_SILENCE_MS (the
 * server keeps pollers it heard from for minutes).
 */
export async function workflowPollers(client: WorkflowClient, taskQueue: string, now = Date.now()): Promise<number> {
  const { pollers } = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  return (pollers ?? []).filter((p) => now - (msOf(p.lastAccessTime) ?? 0) <= MAX_POLL_SILENCE_MS).length;
}

/** What to do about it: a worker on this task queue and namespace. */
export const startWorkerHint = (taskQueue: string, namespace: string): string =>
  `start a worker: \`npx fleet worker\` with FLEET_TASK_QUEUE=${taskQueue} and TEMPORAL_NAMESPACE=${namespace} (and the platforms' tokens)`;

export const noWorkerLine = (taskQueue: string, namespace: string): string =>
  `no worker polls task queue ${taskQueue} in namespace ${namespace}`;

/** `start`'s warning before it starts anything, or undefined when a worker polls. */
export async function noWorkerWarning(client: WorkflowClient, taskQueue: string): Promise<string | undefined> {
  if ((await workflowPollers(client, taskQueue)) > 0) return undefined;
  const namespace = client.options.namespace;
  return `warning: ${noWorkerLine(taskQueue, namespace)}: the rollout will wait until one does; ${startWorkerHint(taskQueue, namespace)}`;
}

interface Problem {
  /** What kind: a problem is said again only when its kind changes, or after REPEAT_EVERY_MS. */
  readonly kind: 'no-worker' | 'not-taken' | 'failing';
  readonly line: string;
}

/**
 * Watches whether anything picks a rollout up, and says so (`say`, a line each) when
 * nothing does, again every minute while it lasts, and once more when it is over.
 */
export class PickupWatch {
  private pollers: { count: number; at: number } | undefined;
  private said: { kind: Problem['kind']; at: number } | undefined;
  private last: { stuck: boolean; at: number } | undefined;

  /** `quietFor`: a problem already said (start's warning), not to repeat before REPEAT_EVERY_MS. */
  constructor(
    private readonly client: WorkflowClient,
    private readonly say: (line: string) => void,
    quietFor?: Problem['kind'],
  ) {
    if (quietFor) this.said = { kind: quietFor, at: Date.now() };
  }

  /** Checks the running rollout described; true while nothing picks it up (a query would only hang). */
  async check(description: WorkflowExecutionDescription, now = Date.now()): Promise<boolean> {
    // Asking is a courtesy: a server that does not answer it leaves the wait as it was.
    const running = description.status.name === 'RUNNING';
    const problem = running ? await this.problemOf(description, now).catch(() => undefined) : undefined;
    if (!problem) {
      // A rollout that closed meanwhile (terminated, say) was not picked up: its ending says what happened.
      if (this.said && running) this.say(`a worker picked rollout ${description.workflowId} up`);
      this.said = undefined;
      return false;
    }
    if (this.said?.kind !== problem.kind || now - this.said.at >= REPEAT_EVERY_MS) {
      this.say(problem.line);
      this.said = { kind: problem.kind, at: now };
    }
    return problem.kind !== 'failing';
  }

  /** As `check`, describing the rollout itself, at most every few seconds (a follower asks every second). */
  async checkEvery(handle: WorkflowHandle, now = Date.now()): Promise<boolean> {
    if (this.last && now - this.last.at < POLLERS_EVERY_MS) return this.last.stuck;
    const description = await handle.describe().catch(() => undefined);
    const stuck = description ? await this.check(description, now) : false;
    this.last = { stuck, at: now };
    return stuck;
  }

  private async problemOf(d: WorkflowExecutionDescription, now: number): Promise<Problem | undefined> {
    const namespace = this.client.options.namespace;
    const hint = startWorkerHint(d.taskQueue, namespace);
    if (!this.pollers || now - this.pollers.at >= POLLERS_EVERY_MS)
      this.pollers = { count: await workflowPollers(this.client, d.taskQueue, now), at: now };
    if (this.pollers.count === 0)
      return {
        kind: 'no-worker',
        line: `${noWorkerLine(d.taskQueue, namespace)}, so nothing picks rollout ${d.workflowId} up: ${hint}; still waiting`,
      };
    const task = d.raw.pendingWorkflowTask;
    const waited = now - (msOf(task?.scheduledTime) ?? now);
    if (task && !msOf(task.startedTime) && waited >= PICKUP_WAIT_MS) {
      const line = `rollout ${d.workflowId}'s next workflow task has waited ${Math.round(waited / 1000)} s on task queue ${d.taskQueue} and no worker took it (the workers polling it may be stuck or gone): ${hint}; still waiting`;
      return { kind: 'not-taken', line };
    }
    if (task && (task.attempt ?? 1) > 1)
      return {
        kind: 'failing',
        line: `a worker takes rollout ${d.workflowId}'s workflow task and fails it (attempt ${task.attempt}): see the worker's log; still waiting`,
      };
    return undefined;
  }
}
