/**
 * Clusters by name, and nothing unknown accepted (issue 17): `skip` and `retry` take a
 * cluster's id or name, from the `fleet` CLI and from the raw updates, and refuse (exit 2)
 * an id or name that is no cluster of the rollout's targets, even one the rollout has not
 * read yet; a name two targets share asks for `platform/organisation/name`. A cluster held
 * by another rollout is reported naming that rollout. Proven from the simulator.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { approveUpdate, resumeUpdate, skipClusterUpdate } from '../../src/workflows/messages.js';
import { patchesOf } from '../../src/simulator/catalog.js';
import { fleet as fleetWith } from '../support/fleet-cli.js';
import { startHarness, type Harness, type SimCluster, type SimRequest } from './harness.js';
import { progressUntil } from './waits.js';

const FAST = {
  targetVersion: '1.31',
  pollInterval: '200ms',
  clusterDeadline: '60s',
  retry: { maxAttempts: 0 },
  ignoreMaintenanceSchedule: true,
} as const;
const fleet = (...args: string[]) =>
  fleetWith({ TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_NAMESPACE: inject('temporalNamespace') }, ...args);

/** Two Avisi organisations that both have an `edge-19`; acme has one excluded and one at the target. Ids are fresh: no other file's rollout holds them. */
const cluster = (name: string, version = '1.30.4') => ({ identity: randomUUID(), name, version });
/** What Avisi's `1.31` resolves to: its latest patch. */
const LATEST = patchesOf('1.31').at(-1)!.plain;
const FLEET = {
  avisi: [
    {
      organisation: 'acme',
      clusters: [
        cluster('web-01'),
        cluster('web-02'),
        cluster('edge-19'),
        cluster('ops-05'),
        cluster('api-06', LATEST),
      ],
    },
    { organisation: 'beta', clusters: [cluster('edge-19'), cluster('data-02')] },
  ],
};

/** The failure a rejected update carries. */
async function refusal(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

describe('skip and retry by name; unknown clusters refused', () => {
  let h: Harness;
  let clusters: SimCluster[];
  const idOf = (organisation: string, name: string) =>
    clusters.find((c) => c.organisation === organisation && c.name === name)!.id;
  const requestsFor = async (id: string) =>
    (await h.inspect<{ requests: SimRequest[] }>('/_sim/requests?platform=avisi')).requests.filter(
      (r) => r.clusterId === id && r.method !== 'GET',
    );

  beforeAll(async () => {
    h = await startHarness({ fleet: FLEET, timeScale: 86_400 }, 'cluster-names');
    clusters = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=avisi')).clusters;
    await h.control(`/_sim/clusters/${idOf('acme', 'web-01')}/outcomes`, { outcomes: ['FAILED', 'SUCCEEDED'] });
  });
  afterAll(() => h?.close());

  it('refuses a bogus id and a name of no target, skips by name a cluster not read yet, retries by name', async () => {
    // Wave one lists web-01; the rest of acme is read only when wave two begins, after its approval.
    const handle = await h.startPaused({
      ...FAST,
      platform: 'avisi',
      organisation: 'acme',
      exclude: [{ name: 'ops-*' }],
      waves: [
        { name: 'one', clusters: [idOf('acme', 'web-01')] },
        { name: 'two', approval: true },
      ],
    });
    const id = handle.workflowId;
    await progressUntil(handle, (p) => p.phase === 'upgrading', 'planned and paused');

    const bogus = await fleet('rollout', 'skip', id, 'totally-bogus-id', '--reason', 'x');
    expect(bogus).toMatchObject({ code: 2, stdout: '' });
    expect(bogus.stderr).toMatch(
      /^fleet: skip totally-bogus-id rejected: no cluster of this rollout has the id or name "totally-bogus-id" \(avisi\/acme\)/,
    );
    const raw = await refusal(handle.executeUpdate(skipClusterUpdate, { args: [{ clusterId: 'data-02' }] }));
    expect(raw.type).toBe('UnknownCluster');
    expect(raw.message).toMatch(/no cluster of this rollout has the id or name "data-02"/);
    expect(
      (await refusal(handle.executeUpdate(skipClusterUpdate, { args: [{ clusterId: 'ops-05' }] }))).message,
    ).toMatch(/ops-05 .* is excluded by the spec's exclude/);
    expect((await refusal(handle.executeUpdate(skipClusterUpdate, { args: [{ clusterId: 'api-06' }] }))).message).toBe(
      `cluster api-06 (${idOf('acme', 'api-06')}) runs ${LATEST}, at the target already: nothing to skip`,
    );
    expect(await fleet('rollout', 'retry', id, 'totally-bogus-id')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/no cluster of this rollout has the id or name "totally-bogus-id"/),
    });

    const byName = await fleet('rollout', 'skip', id, 'edge-19', '--by', 'dave', '--reason', 'customer freeze');
    expect(byName).toMatchObject({ code: 0, stdout: expect.stringMatching(/^skip edge-19: /) });
    expect(await fleet('rollout', 'skip', id, 'edge-19')).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/edge-19 .* is already to be skipped/),
    });

    await handle.executeUpdate(resumeUpdate, { args: [{}] });
    await progressUntil(handle, (p) => p.phase === 'awaiting-approval', 'wave one done');
    const retried = await fleet('rollout', 'retry', id, 'web-01', '--reason', 'node pool fixed');
    expect(retried).toMatchObject({ code: 0, stdout: expect.stringMatching(/^retry web-01: /) });
    await handle.executeUpdate(approveUpdate, { args: [{ wave: 'two' }] });
    const report = await handle.result();

    expect(report).toMatchObject({ status: 'SUCCEEDED', counts: { SUCCEEDED: 2, SKIPPED: 2 } });
    const edge = idOf('acme', 'edge-19');
    // The operator's skip keeps a line with who and why (issue 18, point 4); nothing else ended without success.
    expect(report.clusters).toEqual([
      expect.objectContaining({
        clusterId: edge,
        name: 'edge-19',
        outcome: 'SKIPPED',
        message: 'skipped by dave: customer freeze',
        skippedBy: { by: 'dave', reason: 'customer freeze' },
      }),
    ]);
    expect(
      report.actions
        .filter((a) => a.action !== 'pause' && a.action !== 'resume' && a.action !== 'approve')
        .map((a) => [a.action, a.target]),
    ).toEqual([
      ['skipCluster', `edge-19 (${edge})`],
      ['retryCluster', `web-01 (${idOf('acme', 'web-01')})`],
    ]);
    expect(await requestsFor(edge)).toEqual([]);
    expect(await requestsFor(idOf('acme', 'web-01'))).toHaveLength(2);
    for (const name of ['web-02']) expect(await requestsFor(idOf('acme', name))).toHaveLength(1);
  });

  it('asks for platform/organisation/name when two targets have the name', async () => {
    const handle = await h.startPaused({
      ...FAST,
      targets: [
        { platform: 'avisi', organisation: 'acme' },
        { platform: 'avisi', organisation: 'beta' },
      ],
      exclude: [{ name: 'ops-*' }],
    });
    await progressUntil(handle, (p) => p.phase === 'upgrading', 'planned and paused');
    const id = handle.workflowId;
    const ambiguous = await fleet('rollout', 'skip', id, 'edge-19');
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(
      /"edge-19" names 2 clusters \(avisi\/acme\/edge-19, avisi\/beta\/edge-19\): give platform\/organisation\/name or the id/,
    );
    expect(await fleet('rollout', 'skip', id, 'avisi/beta/edge-19', '--reason', 'beta waits')).toMatchObject({
      code: 0,
    });
    expect(await fleet('rollout', 'skip', id, idOf('beta', 'data-02'))).toMatchObject({ code: 0 });
    // Upgraded by the test before: at the target, nothing to skip (not bad input: exit 1).
    expect(await fleet('rollout', 'skip', id, idOf('acme', 'web-02'))).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/at the target already: nothing to skip/),
    });
    await handle.executeUpdate(resumeUpdate, { args: [{}] });
    const report = await handle.result();
    expect(report.counts).toMatchObject({ SKIPPED: 5, SUCCEEDED: 1 }); // api-06, web-01 and web-02 at the target, and the two skipped
    expect(report.actions.filter((a) => a.action === 'skipCluster').map((a) => a.target)).toEqual([
      `edge-19 (${idOf('beta', 'edge-19')})`,
      `data-02 (${idOf('beta', 'data-02')})`,
    ]);
    expect(await requestsFor(idOf('beta', 'data-02'))).toEqual([]);
    expect(await requestsFor(idOf('beta', 'edge-19'))).toEqual([]);
  });
});

describe('a cluster another rollout holds', () => {
  let h: Harness;
  beforeAll(async () => {
    // Aether clusters whose upgrades take twenty real seconds.
    h = await startHarness(
      {
        generate: { seed: 317, avisi: { clusters: 1 }, aether: { clusters: 2 }, minors: ['1.30'] },
        timeScale: 60,
        aether: { upgradeDurationMs: 1_200_000 },
        rateLimitPerMinute: { aether: 0 },
      },
      'held-cluster',
    );
  });
  afterAll(() => h?.close());

  it('is reported naming the rollout that holds it; progress names the clusters running', async () => {
    const [shared, other] = (await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters?platform=aether')).clusters;
    const organisation = h.sim.organisations.aether[0]!;
    const first = await h.startRollout({ ...FAST, platform: 'aether', organisation, clusters: [shared!.id] });
    const running = await progressUntil(first, (p) => p.running.length === 1, 'the shared cluster upgrading');
    expect(running.runningClusters).toEqual([{ id: shared!.id.toLowerCase(), name: shared!.name }]);
    const watched = await fleet('rollout', 'status', first.workflowId, '--json');
    expect(JSON.parse(watched.stdout).progress.runningClusters).toEqual([
      { id: shared!.id.toLowerCase(), name: shared!.name },
    ]);

    const second = await h.runRollout({
      ...FAST,
      platform: 'aether',
      organisation,
      clusters: [shared!.id, other!.id],
      waves: [{ name: 'all' }],
    });
    expect(second.clusters).toEqual([
      expect.objectContaining({
        name: shared!.name,
        outcome: 'SUPERSEDED',
        requests: 0,
        message: `rollout ${first.workflowId} holds this cluster now (fleet rollout status ${first.workflowId}); retry it once that rollout is done`,
      }),
    ]);
    expect(await first.result()).toMatchObject({ status: 'SUCCEEDED' });
  });
});
