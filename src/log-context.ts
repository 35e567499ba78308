/**
 * Context every log line written during a piece of work carries, whoever writes it:
 * an activity sets its rollout id, cluster id, workflow id and activity type once
 * (activities/log-context.ts), and the lines of the platform clients, the API budget
 * and the activity itself all carry them, so `grep <clusterId>` tells one cluster's
 * story. The loggers of logger.ts add it through pino's `mixin`; an AsyncLocalStorage
 * carries it along the work's promises, so nothing has to pass a logger down.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type LogContext = Readonly<Record<string, string | number>>;

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `context` on every log line it writes (added to any context already in force). */
export function withLogContext<T>(context: LogContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...context }, fn);
}

/** The context in force here; empty outside `withLogContext`. */
export function currentLogContext(): LogContext {
  return storage.getStore() ?? {};
}

/**
 * The rollout and cluster a workflow belongs to, from its type and id (see
 * workflows/cluster/workflow.ts: a child's id is `fleet-cluster/<platform>/<clusterId>`,
 * or `<rolloutId>/<clusterId>` for children started before; a rollout's id is the rollout
 * id). Other workflows (claims, API budgets) belong to no one rollout.
 */
export function rolloutOfWorkflow(
  workflowType: string | undefined,
  workflowId: string | undefined,
): { rolloutId?: string; clusterId?: string } {
  if (!workflowId) return {};
  if (workflowType === 'fleetRollout') return { rolloutId: workflowId };
  // A notification's id is `<rolloutId>/notify/<eventId>/<channel>` (workflows/notify/channel.ts).
  if (workflowType === 'notifyChannel') {
    const match = /^(.+)\/notify\/evt_[0-9a-f]+\/[a-z0-9_]+$/.exec(workflowId);
    if (match) return { rolloutId: match[1]! };
  }
  // A delivery queue's is `<rolloutId>/notify/<channel>` (workflows/notify/queue.ts).
  if (workflowType === 'notifyQueue') {
    const match = /^(.+)\/notify\/[a-z0-9_]+$/.exec(workflowId);
    if (match) return { rolloutId: match[1]! };
  }
  if (workflowType === 'clusterUpgrade') {
    // A lean child's id is the cluster's lock, `fleet-cluster/<platform>/<clusterId>`: no
    // rollout in it (its activities name it).
    const lock = /^fleet-cluster\/[a-z0-9-]+\/([^/]+)$/.exec(workflowId);
    if (lock) return { clusterId: lock[1]! };
    // Cluster ids hold no '/', rollout ids may.
    const slash = workflowId.lastIndexOf('/');
    if (slash > 0) return { rolloutId: workflowId.slice(0, slash), clusterId: workflowId.slice(slash + 1) };
  }
  return {};
}
