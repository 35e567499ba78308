/**
 * A run that continued as new while a wave's last clusters ended resumes that wave empty
 * and 'upgrading': it still owes the wave's soak and gate before the next wave starts
 * (patched 'wave-steps-on-resume'). Racing continue-as-new against the last reports is
 * not deterministic, so the resumed state is built: a real rollout, held paused, continues
 * as new with its canary read but not started; its carry, with the canary counted as
 * ended, starts a second rollout (`fleetRollout(spec, carry)`), which must soak and gate
 * the canary wave before it starts the rest. Proven from its report and history.
 */
import type { temporal } from '@temporalio/proto';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RolloutSpec } from '../../src/domain/spec.js';
import type { fleetRollout, RolloutCarry } from '../../src/workflows/rollout/workflow.js';
import { setMaxParallelUpdate } from '../../src/workflows/messages.js';
import { progressUntil } from './waits.js';
import { slowAetherFleet, startHarness, type Harness, type SimCluster } from './harness.js';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The carry a run handed the next, from its history's last event (payloads are JSON). */
function carryOf(events: readonly HistoryEvent[]): RolloutCarry {
  const input = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.input?.payloads?.[1];
  if (!input?.data) throw new Error('the run did not continue as new with a carry');
  return JSON.parse(Buffer.from(input.data).toString('utf8')) as RolloutCarry;
}

const summaryOf = (event: HistoryEvent): string => {
  const data = event.userMetadata?.summary?.data;
  return data ? (JSON.parse(Buffer.from(data).toString('utf8')) as string) : '';
};

/** The carry as if wave 0's last cluster had ended SUCCEEDED just before the run continued as new. */
function waveEnded(carry: RolloutCarry): RolloutCarry {
  const [first, ...rest] = carry.state.waves;
  expect(first).toMatchObject({ state: 'upgrading', toTake: 0, ids: [] });
  expect(first!.queue).toHaveLength(1);
  expect(carry.state.inFlight).toEqual([]);
  const counts = { ...carry.state.counts, SUCCEEDED: carry.state.counts.SUCCEEDED + 1 };
  const wave0 = { ...first!, queue: [], counts: { ...first!.counts, SUCCEEDED: first!.counts.SUCCEEDED + 1 } };
  return { ...carry, phase: 'upgrading', state: { ...carry.state, paused: false, counts, waves: [wave0, ...rest] } };
}

describe('a wave whose last clusters ended as its run continued as new', () => {
  let h: Harness;
  let clusters: SimCluster[];
  beforeAll(async () => {
    h = await startHarness(slowAetherFleet(97, 3, 1), 'wave-resume');
    clusters = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether')).clusters;
  });
  afterAll(() => h?.close());

  it('soaks and runs its gate in the next run before the next wave starts', async () => {
    const [canary, ...rest] = clusters;
    const gate = {
      name: 'canary-healthy',
      http: { url: `${h.sim.url}/_sim/fleet-health?clusters=${canary!.name}`, json: { field: 'status', equals: 'ok' } },
      passFor: '0s',
      interval: '200ms',
      timeout: '10s',
    };
    const spec: RolloutSpec = {
      platform: 'aether',
      organisation: h.sim.organisations.aether[0]!,
      targetVersion: '1.31',
      pollInterval: '200ms',
      clusterDeadline: '60s',
      retry: { maxAttempts: 0 },
      maxParallel: 2,
      clusters: rest.map((c) => c.id),
      waves: [{ name: 'canary', clusters: [canary!.id], soak: '1s', gate } as never, { name: 'rest' }],
      historyEventsPerRun: 200,
    };

    // Paused, wave 0 reads its canary and waits; updates grow the history until the run continues as new.
    const first = await h.startPaused(spec);
    await progressUntil(first, (p) => p.waves[0]?.state === 'upgrading', 'the canary wave upgrading, paused');
    const firstRunId = (await first.describe()).runId;
    for (let i = 0; i < 80 && (await first.describe()).runId === firstRunId; i++) {
      await first.executeUpdate(setMaxParallelUpdate, { args: [{ maxParallel: 2 + (i % 2) }] });
    }
    const history = await h.client.workflow.getHandle(first.workflowId, firstRunId).fetchHistory();
    const carry = waveEnded(carryOf(history.events ?? []));
    await first.terminate('its carry is all this test needs');

    const id = `rollout-${randomUUID()}`;
    h.track(id);
    const handle = await h.client.workflow.start<typeof fleetRollout>('fleetRollout', {
      workflowId: id,
      taskQueue: h.taskQueue,
      args: [spec, carry],
    });
    const report = await handle.result();

    expect(report).toMatchObject({ status: 'SUCCEEDED', counts: { SUCCEEDED: 3 } });
    expect(report.waves[0]!.gate).toMatchObject({ name: 'canary-healthy', verdict: 'passed' });
    // In the history: the soak's timer fires, then the gate's activity completes, then the rest's children start.
    const events = (await handle.fetchHistory()).events ?? [];
    // Event ids are protobuf Longs: compared as numbers.
    const num = (id: unknown) => Number(id ?? 0);
    const isGate = (e: HistoryEvent) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runWaveGate';
    const gateId = num(events.find(isGate)?.eventId);
    const completed = (e: HistoryEvent) => num(e.activityTaskCompletedEventAttributes?.scheduledEventId);
    const gateDone = events.findIndex((e) => completed(e) === gateId);
    const soak = (e: HistoryEvent) => !!e.timerStartedEventAttributes && summaryOf(e).startsWith('soak 1s after wave');
    const soakId = num(events.find(soak)?.eventId);
    const soakFired = events.findIndex((e) => num(e.timerFiredEventAttributes?.startedEventId) === soakId);
    const childOf = (e: HistoryEvent) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ?? '';
    const restStarts = events
      .map((e, i) => [e, i] as const)
      .filter(([e]) => rest.some((c) => childOf(e).endsWith(c.id)));
    expect(gateId).toBeGreaterThan(0);
    expect(soakId).toBeGreaterThan(0);
    expect(soakFired).toBeGreaterThan(0);
    expect(gateDone).toBeGreaterThan(soakFired);
    expect(restStarts).toHaveLength(2);
    expect(restStarts.every(([, i]) => i > gateDone)).toBe(true);
  });
});
