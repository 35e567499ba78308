/**
 * `pollUpgrade` polls in process for up to its stretch, heartbeating, before it hands
 * the next poll to its retry policy: a settled upgrade comes back from one attempt, an
 * unsettled one fails benignly (NotSettled) once the stretch is spent, and a cancelled
 * attempt stops polling at once. Against the simulator, counting the GETs it received.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities, type RequestUpgradeResult } from '../../src/activities/index.js';
import { ReadBoards } from '../../src/activities/read-boards.js';
import { NOT_SETTLED } from '../../src/activities/upgrade.js';
import { silentLogger } from '../../src/logger.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { depsFromEnv } from '../../src/worker.js';

/** One simulated minute per real second; an Aether upgrade takes two simulated minutes: 2 s. */
const UPGRADE_REAL_MS = 2_000;

let sim: RunningSimulator;
let organisation: string;
let env: Record<string, string>;
let clusterIds: string[];

beforeAll(async () => {
  sim = await startSimulator({
    generate: { seed: 71, avisi: { clusters: 1 }, aether: { clusters: 5 }, minors: ['1.30'] },
    timeScale: 60,
    aether: { upgradeDurationMs: 2 * 60_000 },
    rateLimitPerMinute: { aether: 0 },
  });
  organisation = sim.organisations.aether[0]!;
  env = {
    AETHER_API_URL: `${sim.url}/api/v1`,
    AETHER_API_TOKEN: sim.tokens.aether[organisation]!,
    AVISI_API_URL: `${sim.url}/api/v1`,
    AVISI_API_TOKEN: sim.tokens.avisi,
  };
  clusterIds = (
    (await (await fetch(`${sim.url}/_sim/clusters?platform=aether`)).json()) as { clusters: { id: string }[] }
  ).clusters.map((c) => c.id);
});
afterAll(() => sim?.close());

const aetherRequests = async () =>
  ((await (await fetch(`${sim.url}/_sim/traffic`)).json()) as { aether: { requests: number } }).aether.requests;

async function requested(clusterId: string, pollStretchMs?: number, readBoards?: ReadBoards) {
  const activities = createActivities({
    ...depsFromEnv(silentLogger, env),
    ...(pollStretchMs !== undefined ? { pollStretchMs } : {}),
    ...(readBoards ? { readBoards } : {}),
  });
  const { upgrade } = (await new MockActivityEnvironment().run(activities.requestUpgrade, {
    platform: 'aether' as const,
    organisation,
    clusterId,
    version: '1.31',
  })) as RequestUpgradeResult;
  return {
    activities,
    poll: { platform: 'aether' as const, organisation, clusterId, upgrade, until: 'settled' as const },
  };
}

describe('pollUpgrade within one attempt', () => {
  it('polls in process until the upgrade settles, heartbeating the status it saw', async () => {
    const { activities, poll } = await requested(clusterIds[0]!);
    const activity = new MockActivityEnvironment();
    const heartbeats: unknown[] = [];
    activity.on('heartbeat', (details: unknown) => heartbeats.push(details));
    const before = await aetherRequests();
    const state = await activity.run(activities.pollUpgrade, { ...poll, pollIntervalMs: 200 });
    expect(state).toMatchObject({ status: 'SUCCEEDED' });
    // About UPGRADE_REAL_MS / 200 polls, all in this one attempt.
    expect(await aetherRequests()).toBeGreaterThan(before + 3);
    expect(heartbeats.length).toBeGreaterThan(3);
    expect(heartbeats[0]).toMatchObject({ status: 'IN_PROGRESS' });
  });

  it('fails benignly once its stretch is spent, for the retry policy to poll again', async () => {
    const { activities, poll } = await requested(clusterIds[1]!, 500);
    const startedAt = Date.now();
    const error: unknown = await new MockActivityEnvironment()
      .run(activities.pollUpgrade, { ...poll, pollIntervalMs: 200 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ type: NOT_SETTLED, category: 'BENIGN', nonRetryable: false });
    expect(Date.now() - startedAt).toBeLessThan(UPGRADE_REAL_MS);
  });

  it('polls once per attempt when given no interval', async () => {
    const { activities, poll } = await requested(clusterIds[2]!);
    const before = await aetherRequests();
    await expect(new MockActivityEnvironment().run(activities.pollUpgrade, poll)).rejects.toMatchObject({
      type: NOT_SETTLED,
    });
    expect(await aetherRequests()).toBe(before + 1);
  });

  it('reads within its stretch however long the interval, well before its start-to-close timeout', async () => {
    const { activities, poll } = await requested(clusterIds[4]!, 1_000);
    const before = await aetherRequests();
    const startedAt = Date.now();
    const running = new MockActivityEnvironment().run(activities.pollUpgrade, { ...poll, pollIntervalMs: 600_000 });
    await expect(running).rejects.toMatchObject({ type: NOT_SETTLED });
    // One read, half a stretch in (not ten minutes): the retry policy waits the interval out.
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(await aetherRequests()).toBe(before + 1);
  });

  it('stops polling when the attempt is cancelled', async () => {
    const readBoards = new ReadBoards(depsFromEnv(silentLogger, env).clientFor);
    const { activities, poll } = await requested(clusterIds[3]!, undefined, readBoards);
    const activity = new MockActivityEnvironment();
    const polled = new Promise<void>((resolve) => activity.once('heartbeat', () => resolve()));
    const startedAt = Date.now();
    const running = activity.run(activities.pollUpgrade, { ...poll, pollIntervalMs: 10_000 });
    // A read due now shares its round with the poll (due within half its interval), so the poll reads at once.
    await readBoards.readUpgrade('aether', organisation, poll.upgrade, { at: Date.now(), earlyBy: 0 });
    await polled;
    activity.cancel();
    await expect(running).rejects.toBeInstanceOf(CancelledFailure);
    // Well before its next poll was due.
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });
});
