/**
 * `findCluster` (the lookup behind `skipCluster`/`retryCluster` for a cluster a rollout
 * has not read) and `findClusterHolder`, against the simulator: a name across two
 * organisations, an id, a key nobody has, and what the spec leaves out; the reads each
 * took (what docs/operations.md quotes).
 */
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFindClusterHolder } from '../../src/activities/cluster-holder.js';
import { createFindCluster, type FindClusterInput } from '../../src/activities/find-cluster.js';
import { silentLogger } from '../../src/logger.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { depsFromEnv } from '../../src/worker.js';

const cluster = (name: string, version = '1.30.4') => ({ identity: randomUUID(), name, version });
const ACME = [
  cluster('web-01'),
  cluster('edge-19'),
  cluster('ops-05'),
  ...Array.from({ length: 60 }, (_, i) => cluster(`bulk-${i}`)),
];
const BETA = [cluster('edge-19'), cluster('data-02')];
const AETHER_ORG = randomUUID();
const AETHER = [
  { id: randomUUID(), name: 'cluster-1', version: '1.30.4' },
  { id: randomUUID(), name: 'cluster-2', version: '1.30.4' },
];
const TARGETS = [
  { platform: 'avisi' as const, organisation: 'acme' },
  { platform: 'avisi' as const, organisation: 'beta' },
];

let sim: RunningSimulator;
let find: (input: FindClusterInput) => ReturnType<ReturnType<typeof createFindCluster>>;

beforeAll(async () => {
  const avisi = [
    { organisation: 'acme', clusters: ACME },
    { organisation: 'beta', clusters: BETA },
  ];
  sim = await startSimulator({
    fleet: { avisi, aether: [{ organisation: AETHER_ORG, clusters: AETHER }] },
    rateLimitPerMinute: { aether: 0 },
  });
  const env = {
    AVISI_API_URL: `${sim.url}/api/v1`,
    AVISI_API_TOKEN: sim.tokens.avisi,
    AETHER_API_URL: `${sim.url}/api/v1`,
    AETHER_API_TOKEN: sim.tokens.aether[AETHER_ORG]!,
    AVISI_API_RATE_PER_MINUTE: '0',
    AETHER_API_RATE_PER_MINUTE: '0',
  };
  const findCluster = createFindCluster(depsFromEnv(silentLogger, env));
  find = (input) => new MockActivityEnvironment().run(findCluster, input);
});
afterAll(() => sim?.close());

describe('findCluster', () => {
  it('finds a name in every target it is in, each with its target; a qualified key in its own', async () => {
    const both = await find({ targets: TARGETS, key: 'edge-19' });
    expect(both.found.map((c) => [c.id, c.target])).toEqual([
      [ACME[1]!.identity, 0],
      [BETA[0]!.identity, 1],
    ]);
    expect(both.pages).toBe(3); // acme's 63 clusters are two pages of 50, beta's one
    expect((await find({ targets: TARGETS, key: 'edge-19', target: 1 })).found).toEqual([
      { id: BETA[0]!.identity, name: 'edge-19', version: '1.30.4', target: 1 },
    ]);
  });

  it('reads an id by id, upper-case too, and finds nothing for a key no cluster has', async () => {
    expect((await find({ targets: TARGETS, key: BETA[1]!.identity.toUpperCase() })).found).toEqual([
      { id: BETA[1]!.identity, name: 'data-02', version: '1.30.4', target: 1 },
    ]);
    expect(await find({ targets: TARGETS, key: randomUUID() })).toEqual({ found: [], pages: 2 });
    expect(await find({ targets: TARGETS, key: 'totally-bogus-id' })).toEqual({ found: [], pages: 3 });
  });

  it('reads an Aether id with one request, and an unknown one with one a target', async () => {
    const aether = [{ platform: 'aether' as const, organisation: AETHER_ORG }];
    expect(await find({ targets: aether, key: AETHER[1]!.id })).toEqual({
      found: [{ id: AETHER[1]!.id, name: 'cluster-2', version: '1.30.4', target: 0 }],
      pages: 1,
    });
    expect(await find({ targets: [...aether, TARGETS[0]!], key: randomUUID() })).toMatchObject({ found: [], pages: 2 });
  });

  it('says what the spec leaves out: exclude, a wave that takes nothing of it, a list that names it not', async () => {
    const [ops] = (
      await find({ targets: TARGETS, key: 'ops-05', exclude: [{ name: 'ops-*' }], matches: [{ name: 'web-*' }] })
    ).found;
    expect(ops).toMatchObject({ name: 'ops-05', excluded: true, unmatched: true });
    expect((await find({ targets: TARGETS, key: 'web-01', matches: [{ name: 'web-*' }] })).found[0]).not.toHaveProperty(
      'unmatched',
    );
    expect(
      (await find({ targets: TARGETS, key: 'edge-19', clusters: [BETA[0]!.identity] })).found.map((c) => c.target),
    ).toEqual([1]);
  });
});

describe('findClusterHolder', () => {
  it('has no answer, not an error, for a lock nobody holds', async () => {
    const workflow = { getHandle: () => ({ describe: () => Promise.reject(new Error('workflow not found')) }) };
    const holder = createFindClusterHolder(() => ({ workflow }) as never);
    expect(await new MockActivityEnvironment().run(holder, { workflowId: 'fleet-cluster/avisi/x' })).toEqual({});
  });

  it('walks up from the lock to its rollout', async () => {
    const running = { status: { name: 'RUNNING' }, typedSearchAttributes: { get: () => undefined } };
    const described: Record<string, object> = {
      'fleet-claim/avisi/x': {
        ...running,
        type: 'clusterClaim',
        workflowId: 'fleet-claim/avisi/x',
        parentExecution: { workflowId: 'weekly/x' },
      },
      'weekly/x': {
        ...running,
        type: 'clusterUpgrade',
        workflowId: 'weekly/x',
        parentExecution: { workflowId: 'weekly' },
      },
      weekly: { ...running, type: 'fleetRollout', workflowId: 'weekly' },
    };
    const workflow = { getHandle: (id: string) => ({ describe: () => Promise.resolve(described[id]) }) };
    const holder = createFindClusterHolder(() => ({ workflow }) as never);
    expect(await new MockActivityEnvironment().run(holder, { workflowId: 'fleet-claim/avisi/x' })).toEqual({
      rolloutId: 'weekly',
    });
  });

  it('says when the lock is a child that failed and is held by its rollout', async () => {
    const held = {
      status: { name: 'RUNNING' },
      typedSearchAttributes: { get: () => 'failed' },
      type: 'clusterUpgrade',
      workflowId: 'fleet-cluster/avisi/x',
      parentExecution: { workflowId: 'weekly' },
    };
    const workflow = { getHandle: () => ({ describe: () => Promise.resolve(held) }) };
    const holder = createFindClusterHolder(() => ({ workflow }) as never);
    expect(await new MockActivityEnvironment().run(holder, { workflowId: 'fleet-cluster/avisi/x' })).toEqual({
      rolloutId: 'weekly',
      heldAfter: 'failed',
    });
  });
});
