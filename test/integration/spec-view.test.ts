/**
 * The spec described as it is (domain/spec-describe.ts) where a terminal reads it, on
 * the real dev server: `fleet rollout status` of a running rollout prints it under
 * `spec:`, and so does `fleet rollout plan`; a rollout started by a plain client (no
 * static details, as the Temporal CLI starts one) carries it in its current details.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import type { RolloutSpec } from '../../src/domain/spec.js';
import { fleet as fleetWith } from '../support/fleet-cli.js';
import { startHarness, type Harness, type SimCluster } from './harness.js';

const temporalEnv = () => ({
  TEMPORAL_ADDRESS: inject('temporalAddress'),
  TEMPORAL_NAMESPACE: inject('temporalNamespace'),
});
const fleet = (...args: string[]) => fleetWith(temporalEnv(), ...args);

describe('the spec as it is, in status, plan and the current details', () => {
  let h: Harness;
  let organisation: string;
  let clusters: SimCluster[];
  let spec: RolloutSpec;
  // The lines every view prints: the wave's selector and approval, the exclusion, the freeze, the channel-free limits.
  let expected: string[];
  beforeAll(async () => {
    h = await startHarness(
      {
        generate: { seed: 79, avisi: { clusters: 1 }, aether: { clusters: 4 }, minors: ['1.30'] },
        timeScale: 86_400,
        rateLimitPerMinute: { aether: 0 },
      },
      'spec-view',
    );
    organisation = h.sim.organisations.aether[0]!;
    clusters = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether')).clusters;
    // The first wave waits for an approval nobody gives: the rollout runs until the test ends it.
    spec = {
      platform: 'aether',
      organisation,
      targetVersion: '1.31',
      waves: [{ name: 'gated', match: { name: clusters[0]!.name }, approval: true }, { name: 'rest' }],
      exclude: [clusters[3]!.id],
      freeze: [{ from: '2020-01-01T00:00:00Z', to: '2020-01-02T00:00:00Z', reason: 'new year' }],
      pollInterval: '200ms',
    };
    expected = [
      'spec:',
      `  target: aether/${organisation} → 1.31`,
      '  clusters: every cluster of the organisation',
      `  exclude: 1 excluded: ${clusters[3]!.id}`,
      `  wave gated: match name=${clusters[0]!.name} · approval`,
      '  wave rest: the rest',
      '  freeze: 2020-01-01T00:00:00Z to 2020-01-02T00:00:00Z (new year)',
      '  limits: 10 at once · retry 2 · reschedule 2 · poll every 200ms · 14d per attempt',
    ];
  });
  afterAll(() => h?.close());

  it('status of a running rollout started by a plain client prints it, and its current details carry it', async () => {
    const handle = await h.startRollout(spec);
    try {
      const status = await vi.waitFor(
        async () => {
          const result = await fleet('rollout', 'status', handle.workflowId);
          expect(result.stdout).toContain('awaiting-approval');
          return result;
        },
        { timeout: 30_000, interval: 250 },
      );
      expect(status.code).toBe(EXIT.OK);
      expect(status.stdout.trimEnd().split('\n').slice(1)).toEqual(expected.map((line) => `  ${line}`));

      // No static details (no CLI started it), yet the worker's current details describe the spec.
      expect(await (await handle.describe()).staticDetails()).toBeUndefined();
      const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
      const details = metadata.currentDetails!.split('\n');
      expect(details.slice(details.indexOf('Spec:') + 2)).toEqual(expected.slice(1).map((line) => `- ${line.trim()}`));
    } finally {
      await handle.terminate('the test is over');
    }
  });

  it('plan prints it', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'fleet-spec-view-')), 'spec.yaml');
    await writeFile(file, JSON.stringify(spec));
    const planned = await fleet(
      'rollout',
      'plan',
      '-f',
      file,
      '--task-queue',
      h.taskQueue,
      '--id',
      `plan-${h.taskQueue}`,
    );
    expect(planned.code).toBe(EXIT.OK);
    const lines = planned.stdout.split('\n');
    const at = lines.indexOf('spec:');
    expect(lines.slice(at, at + expected.length)).toEqual(
      expected.map((line) => line.replace('→ 1.31', '→ 1.31 (dry run: nothing is changed)')),
    );
  });
});
