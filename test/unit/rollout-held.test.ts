/**
 * The clusters a rollout holds (src/workflows/rollout/held.ts): which reports make a
 * child wait, which entries may be signalled, and that the set rides in the waves'
 * snapshot, so it survives the rollout's continue-as-new. No server needed.
 */
import { describe, expect, it } from 'vitest';
import type { ClusterOutcome, ClusterResult } from '../../src/domain/report.js';
import { HeldClusters } from '../../src/workflows/rollout/held.js';
import { WaveQueues, type Placed } from '../../src/workflows/rollout/waves.js';

const entry = (id: string) => ({ id, name: `c-${id}`, version: '1.30.2', action: 'upgrade' as const });
const flight = (id: string, extra: Partial<Placed> = {}): Placed => ({
  entry: entry(id),
  waveIndex: 0,
  childId: `fleet-cluster/aether/${id}`,
  holds: true,
  ...extra,
});
const report = (id: string, outcome: ClusterOutcome): ClusterResult => ({
  clusterId: id,
  name: `c-${id}`,
  outcome,
  fromVersion: '1.30.2',
  requests: 1,
  retries: 0,
  reschedules: 0,
});

describe('HeldClusters', () => {
  it('holds the children of clusters that ended as retryCluster takes, started with hold', () => {
    const held = new HeldClusters();
    held.reported(flight('a', { childRunId: 'run-a' }), report('a', 'FAILED'));
    held.reported(flight('b', { childRunId: 'run-b' }), report('b', 'MISSED'));
    held.reported(flight('c', { childRunId: 'run-c' }), report('c', 'SUPERSEDED'));
    held.reported(flight('d', { childRunId: 'run-d' }), report('d', 'SUCCEEDED'));
    held.reported(flight('e', { childRunId: 'run-e', holds: undefined }), report('e', 'FAILED'));
    held.reported(flight('f', { childRunId: 'run-f' }), report('f', 'CANCELLED'));
    expect(held.takeAll().map((c) => c.clusterId)).toEqual(['a', 'b', 'c']);
    expect(held.size).toBe(0);
  });

  it('learns the run of a child whose report came before its start was confirmed', () => {
    const held = new HeldClusters();
    held.reported(flight('a'), report('a', 'FAILED'));
    expect(held.snapshot().held).toEqual([{ clusterId: 'a', childId: 'fleet-cluster/aether/a' }]);
    held.started('a', 'run-a');
    expect(held.take('a')).toEqual({ clusterId: 'a', childId: 'fleet-cluster/aether/a', childRunId: 'run-a' });
    expect(held.take('a')).toBeUndefined();
  });

  it('survives continue-as-new in the waves snapshot, and adds nothing to it when empty', () => {
    const queues = new WaveQueues({});
    expect(queues.snapshot()).not.toHaveProperty('held');
    queues.held.reported(flight('a', { childRunId: 'run-a' }), report('a', 'FAILED'));
    const carried = JSON.parse(JSON.stringify(queues.snapshot())) as ReturnType<WaveQueues['snapshot']>;
    const next = WaveQueues.restore(carried, {});
    expect(next.held.has('a')).toBe(true);
    expect(next.held.take('a')).toEqual({ clusterId: 'a', childId: 'fleet-cluster/aether/a', childRunId: 'run-a' });
    // A snapshot from before the patch has no `held`.
    const { held: _held, ...older } = carried;
    expect(WaveQueues.restore(older, {}).held.size).toBe(0);
  });
});
