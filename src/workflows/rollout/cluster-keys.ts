/**
 * `ClusterKeys`: the cluster a `skipCluster` or `retryCluster` update names, as the
 * controls (controls.ts) need it: the key parsed, the cluster resolved from the state or
 * the handler's lookup, and the refusals that say why it cannot be acted on. The pure
 * parts (parsing, judging what the lookup found) are cluster-key.ts's.
 */
import type { FindClusterResult } from '../../activities/index.js';
import type { ClusterResult } from '../../domain/report.js';
import type { ClusterRequest } from '../messages.js';
import { heldById, isRefusal, judgeFound, labelOf, parseClusterKey, refuse, reject } from './cluster-key.js';
import type { ClusterKey, Held } from './cluster-key.js';
import type { RolloutState } from './state.js';

export class ClusterKeys {
  constructor(private readonly state: RolloutState) {}

  /** The request's key; refused when it names nothing. */
  of(request: ClusterRequest | undefined): ClusterKey {
    const raw = typeof request?.clusterId === 'string' ? request.clusterId.trim() : '';
    if (!raw) return reject('clusterId is required (a cluster id or name)');
    return parseClusterKey(raw, this.state.plan);
  }

  /** The cluster a key names: the one the state holds by id, or the one the lookup found; a refusal otherwise. */
  resolve(
    key: ClusterKey,
    found: FindClusterResult | undefined,
    verb: string,
  ): { readonly id: string; readonly name?: string } {
    const held = heldById(this.state, key);
    if (held || !found || !this.state.plan) return held ?? { id: key.id };
    const judged = judgeFound(this.state.plan, this.state.hops.at(-1), key, found, verb);
    if (isRefusal(judged)) return judged.unknown ? refuse(judged.message) : reject(judged.message);
    return judged;
  }

  /** The line of the cluster the lookup found; refused when it has not ended without success. */
  lineOfFound(key: ClusterKey, found: FindClusterResult | undefined): ClusterResult {
    const cluster = this.resolve(key, found, 'retry');
    const line = this.state.tally.notSucceeded.get(cluster.id);
    if (line) return line;
    const held = heldById(this.state, { ...key, id: cluster.id });
    const elsewhere = 'not one that ended without success in this rollout (it is still to start, or upgraded)';
    const now = held?.as === 'running' ? 'upgrading' : held ? 'not started' : elsewhere;
    return reject(
      `only a cluster that ended FAILED, MISSED, SUPERSEDED or BLOCKED can be retried; cluster ${labelOf(cluster)} is ${now}`,
    );
  }

  refuseToSkip(held: Held): void {
    const label = labelOf(held);
    if (held.as === 'running') reject(`cluster ${label} is upgrading now; only a cluster not started can be skipped`);
    if (held.as === 'ended') reject(`cluster ${label} has already ended ${held.line!.outcome}`);
    if (held.as === 'skipping') reject(`cluster ${label} is already to be skipped`);
  }
}
