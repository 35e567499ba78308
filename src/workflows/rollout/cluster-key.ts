/**
 * The cluster an operator names in `skipCluster` or `retryCluster`: its id, its name, or
 * `platform/organisation/name` when a name is in several targets. Found in the rollout's
 * state when the rollout holds it (queued, running, ended without success); otherwise the
 * `findCluster` activity reads the targets' inventories (the rollout keeps no list of its
 * clusters) and `judgeFound` says whether what it found is a cluster this rollout may act
 * on, or why not. Pure: the controls (controls.ts) ask, the workflow runs the activity.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { FindClusterInput, FindClusterResult, FoundCluster, PlannedHop } from '../../activities/index.js';
import type { ClusterPlanEntry, ClusterResult } from '../../domain/report.js';
import type { RolloutPlan } from '../../domain/spec.js';
import { mustParseVersion, parseVersion, planStep } from '../../domain/versions.js';
import { UNKNOWN_CLUSTER, UPDATE_REJECTED } from '../messages.js';
import type { RolloutState } from './state.js';
import { hopOn } from './targets.js';

export interface ClusterKey {
  /** As the operator wrote it. */
  readonly raw: string;
  /** Lower-cased (ids are compared so). */
  readonly id: string;
  readonly name: string;
  /** `platform/organisation/name`: the index of that target. */
  readonly target?: number;
}

/** Where the rollout's state holds a cluster. */
export type HeldAs = 'queued' | 'read' | 'listed' | 'running' | 'ended' | 'skipping';

export interface Held {
  readonly id: string;
  readonly name?: string;
  readonly as: HeldAs;
  /** `ended`: its report line. */
  readonly line?: ClusterResult;
}

/** Why a key names no cluster this rollout may act on: bad input (`unknown`), or the cluster's state. */
export interface Refusal {
  readonly unknown: boolean;
  readonly message: string;
}

export function parseClusterKey(raw: string, plan: RolloutPlan | undefined): ClusterKey {
  for (const [index, t] of (plan?.targets ?? []).entries()) {
    const prefix = `${t.platform}/${t.organisation}/`;
    if (raw.length > prefix.length && raw.toLowerCase().startsWith(prefix.toLowerCase())) {
      const name = raw.slice(prefix.length);
      return { raw, id: name.toLowerCase(), name, target: index };
    }
  }
  return { raw, id: raw.toLowerCase(), name: raw };
}

/** `web-01 (3f0c…)`: how refusals and the action log name a cluster. */
export const labelOf = (c: { readonly id: string; readonly name?: string }): string =>
  c.name && c.name !== c.id ? `${c.name} (${c.id})` : c.id;

/** Where a cluster is, as `platform/organisation/name`. */
const placeOf = (plan: RolloutPlan, c: { readonly name: string; readonly target?: number }): string => {
  const t = plan.targets[c.target ?? 0]!;
  return `${t.platform}/${t.organisation}/${c.name}`;
};

type Placement = Pick<ClusterPlanEntry, 'target'> & Partial<Pick<ClusterResult, 'platform' | 'organisation'>>;

/** Whether an entry or line is in the key's target (any, for an unqualified key). */
export function inTarget(plan: RolloutPlan | undefined, key: ClusterKey, c: Placement): boolean {
  if (key.target === undefined || !plan) return true;
  const t = plan.targets[key.target]!;
  if (c.platform !== undefined) return c.platform === t.platform && c.organisation === t.organisation;
  return (c.target ?? 0) === key.target;
}

/** What `findCluster` needs to find the key among the rollout's targets, as the spec narrows them. */
export function lookupOf(plan: RolloutPlan, key: ClusterKey): FindClusterInput {
  const waveClusters = plan.waves.flatMap((w) => w.clusters ?? []);
  const everyWaveSelects = plan.waves.every((w) => w.match !== undefined || w.clusters !== undefined);
  const matches = plan.waves.flatMap((w) => (w.match ? [w.match] : []));
  return {
    targets: plan.targets,
    key: key.target === undefined ? key.raw : key.name,
    ...(key.target !== undefined ? { target: key.target } : {}),
    ...(plan.clusters ? { clusters: [...plan.clusters, ...waveClusters] } : {}),
    ...(plan.exclude ? { exclude: plan.exclude } : {}),
    ...(everyWaveSelects && plan.unmatched === 'skip' ? { matches, waveClusters } : {}),
  };
}

/**
 * The one cluster `found` holds that this rollout upgrades, or why there is none: no
 * cluster has the key, several do (a name in several targets, or twice in one), or the
 * spec leaves it out (excluded, matched by no wave, on another minor in a `patchOnly`
 * rollout), or it runs the target already.
 */
export function judgeFound(
  plan: RolloutPlan,
  lastHop: PlannedHop | undefined,
  key: ClusterKey,
  result: FindClusterResult,
  verb: string,
): FoundCluster | Refusal {
  const unknown = (message: string): Refusal => ({ unknown: true, message });
  const found = result.found;
  if (found.length === 0) {
    const targets = key.target === undefined ? plan.targets : [plan.targets[key.target]!];
    const where = targets.map((t) => `${t.platform}/${t.organisation}`);
    return unknown(`no cluster of this rollout has the id or name ${JSON.stringify(key.raw)} (${where.join(', ')})`);
  }
  if (found.length > 1) {
    const oneTarget = found.every((c) => c.target === found[0]!.target);
    const named = found.map((c) => (oneTarget ? labelOf(c) : placeOf(plan, c))).join(', ');
    const fix = oneTarget ? 'give the id' : 'give platform/organisation/name or the id';
    return unknown(`${JSON.stringify(key.raw)} names ${found.length} clusters (${named}): ${fix}`);
  }
  const cluster = found[0]!;
  const label = labelOf(cluster);
  if (cluster.excluded) {
    return unknown(`cluster ${label} is excluded by the spec's exclude: this rollout never touches it`);
  }
  if (cluster.unmatched) {
    return unknown(`cluster ${label} matches no wave: this rollout leaves it out (reported SKIPPED)`);
  }
  const running = parseVersion(cluster.version);
  const target = lastHop ? mustParseVersion(hopOn(lastHop, cluster.target).version) : undefined;
  if (!running || !target) return cluster;
  const runs = `cluster ${label} runs ${cluster.version}`;
  if (plan.patchOnly && running.minor !== target.minor) return unknown(`${runs}: a patchOnly rollout leaves it out`);
  if (planStep(running, target).kind === 'at-target') {
    return { unknown: false, message: `${runs}, at the target already: nothing to ${verb}` };
  }
  return cluster;
}

/** A key that names no cluster this rollout may act on: bad input (the CLI exits 2). */
export const refuse = (message: string): never => {
  throw ApplicationFailure.create({ type: UNKNOWN_CLUSTER, message, nonRetryable: true });
};

/** An update refused for what the rollout's state is now (the validators' and handlers' refusal). */
export const reject = (message: string): never => {
  throw ApplicationFailure.create({ type: UPDATE_REJECTED, message, nonRetryable: true });
};

/** The cluster the state holds with this id: queued, read, listed, running, ended without success, to be skipped. */
export function heldById(rollout: RolloutState, key: ClusterKey): Held | undefined {
  const id = key.id;
  const retrying = rollout.queues.retryQueue.find((p) => p.entry.id === id)?.entry;
  const queued = retrying ?? waiting(rollout).find((e) => e.id === id);
  if (queued) return { id, name: queued.name, as: 'queued' };
  const read = rollout.queues.stream.buffer.find((e) => e.id === id);
  if (read) return { id, name: read.name, as: 'read' };
  const running = rollout.inFlight.get(id);
  if (running) return { id, name: running.entry.name, as: 'running' };
  const line = rollout.tally.notSucceeded.get(id);
  if (line) return { id, name: line.name, as: 'ended', line };
  if (rollout.queues.skipList.has(id)) return { id, as: 'skipping' };
  if (rollout.waves.some((w) => w.ids.includes(id))) return { id, as: 'listed' };
  return undefined;
}

/** The clusters queued in the waves. */
const waiting = (rollout: RolloutState): ClusterPlanEntry[] => rollout.waves.flatMap((w) => w.queue);

/** A running or queued cluster with the key's name (retry's refusal names it). */
export function heldByName(rollout: RolloutState, key: ClusterKey): Held | undefined {
  const fits = (e: ClusterPlanEntry) => e.name === key.name && inTarget(rollout.plan, key, e);
  const running = [...rollout.inFlight.values()].find((f) => fits(f.entry));
  if (running) return { id: running.entry.id, name: key.name, as: 'running' };
  const queues = [
    ...rollout.queues.retryQueue.map((p) => p.entry),
    ...waiting(rollout),
    ...rollout.queues.stream.buffer,
  ];
  const queued = queues.find(fits);
  return queued && { id: queued.id, name: key.name, as: 'queued' };
}

/** The report line of a cluster that ended without success, by id or by a name one line has (several: refused). */
export function lineOf(rollout: RolloutState, key: ClusterKey): ClusterResult | undefined {
  const byId = rollout.tally.notSucceeded.get(key.id);
  if (byId) return byId;
  const lines = [...rollout.tally.notSucceeded.values()];
  const named = lines.filter((l) => l.name === key.name && inTarget(rollout.plan, key, l));
  if (named.length <= 1) return named[0];
  const places = named.map((l) =>
    l.platform ? `${l.platform}/${l.organisation}/${l.name}` : labelOf({ id: l.clusterId, name: l.name }),
  );
  const fix = 'give platform/organisation/name or the id';
  const names = `${JSON.stringify(key.raw)} names ${named.length} clusters that ended in this rollout`;
  return refuse(`${names} (${places.join(', ')}): ${fix}`);
}

export const isRefusal = (judged: FoundCluster | Refusal): judged is Refusal => 'message' in judged;
