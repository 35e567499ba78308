/**
 * A poll that sees an Avisi upgrade SUCCEEDED reads the cluster back in the same
 * attempt, whichever poll it is: an upgrade that ran and ended while the child still
 * waited for it to be scheduled comes back with the version the cluster runs, so the
 * child verifies it without a `readCluster` activity (CI once saw one there).
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities, type RequestUpgradeResult } from '../../src/activities/index.js';
import { silentLogger } from '../../src/logger.js';
import { CATALOG } from '../../src/simulator/catalog.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { depsFromEnv } from '../../src/worker.js';
import { eventually } from '../platforms/support/sim.js';

let sim: RunningSimulator;
let organisation: string;
let activities: ReturnType<typeof createActivities>;

beforeAll(async () => {
  // A simulated day per real second: an upgrade outside its maintenance schedule ends within a second.
  sim = await startSimulator({
    generate: { seed: 172, avisi: { clusters: 1 }, aether: { clusters: 1 }, minors: ['1.30'] },
    timeScale: 86_400,
    rateLimitPerMinute: { avisi: 0, aether: 0 },
  });
  organisation = sim.organisations.avisi[0]!;
  const env = {
    AVISI_API_URL: `${sim.url}/api/v1`,
    AVISI_API_TOKEN: sim.tokens.avisi,
    AETHER_API_URL: `${sim.url}/api/v1`,
    AETHER_API_TOKEN: sim.tokens.aether[sim.organisations.aether[0]!]!,
  };
  activities = createActivities(depsFromEnv(silentLogger, env));
});
afterAll(() => sim?.close());

describe('pollUpgrade on a SUCCEEDED Avisi upgrade', () => {
  it('reads the cluster back even when it was only waiting for a schedule', async () => {
    const [cluster] = (
      (await (await fetch(`${sim.url}/_sim/clusters?platform=avisi`)).json()) as { clusters: { id: string }[] }
    ).clusters;
    const target = CATALOG.filter((entry) => entry.plain.startsWith('1.31.')).at(-1)!;
    const call = { platform: 'avisi' as const, organisation, clusterId: cluster!.id };
    const { upgrade } = (await new MockActivityEnvironment().run(activities.requestUpgrade, {
      ...call,
      version: target.ame,
      ignoreMaintenanceSchedule: true,
    })) as RequestUpgradeResult;
    expect(upgrade.status).not.toBe('SUCCEEDED');
    // Wait, outside the activity, until the platform says it is over.
    await eventually(
      async () => {
        const seen = (await (await fetch(`${sim.url}/_sim/clusters?platform=avisi`)).json()) as {
          clusters: { id: string; version: string }[];
        };
        return seen.clusters.find((c) => c.id === cluster!.id)?.version === target.plain || undefined;
      },
      { timeoutMs: 20_000, what: 'the upgrade to end' },
    );

    const state = await new MockActivityEnvironment().run(activities.pollUpgrade, {
      ...call,
      upgrade,
      until: 'scheduled' as const,
    });
    expect(state).toMatchObject({ status: 'SUCCEEDED', observedVersion: target.plain });
  });
});
