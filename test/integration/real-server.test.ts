/**
 * The real Temporal server (`npm run server`'s: the pinned release built by `npm run
 * server:install`, on a throwaway PostgreSQL, history and SQL visibility in it) with
 * nothing registered by hand: startTemporalServer registers the namespace and the
 * search attributes itself. Through the same harness as every integration test:
 *  - a rollout over Aether and Avisi ends SUCCEEDED, each cluster upgraded once, and its
 *    search attributes (a KeywordList among them) answer visibility queries;
 *  - a rollout started paused (update-with-start), resumed and paused again through
 *    updates, lives through a SIGKILL of the server and a PostgreSQL restart while
 *    clusters upgrade, and finishes once resumed;
 *  - a rollout continues as new with ten clusters in flight, is aborted in its later
 *    run, and cancels and compensates the children the first run started;
 *  - two rollouts over one cluster: the second asks nothing for it and reports it
 *    SUPERSEDED (the child's workflow id is the lock, on PostgreSQL too).
 *
 * Skipped, saying why, when the server is not installed or PostgreSQL is missing and
 * CI is unset; in CI that fails instead.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findTemporalServer,
  SERVER_INSTALL_HINT,
  TEMPORAL_SERVER_VERSION,
} from '../../src/devserver/install-server.js';
import { findPostgres, POSTGRES_MISSING } from '../../src/devserver/postgres.js';
import { startTemporalServer, type RealTemporalServer } from '../../src/devserver/temporal-server.js';
import { pauseUpdate, progressQuery, resumeUpdate } from '../../src/workflows/messages.js';
import { FleetPhase, FleetPlatforms } from '../../src/workflows/search-attributes.js';
import { abortAfterContinueAsNew, twoRolloutsOverOneCluster } from './shared-scenarios.js';
import { slowAetherFleet, startHarness, type Harness, type SimCluster, type SimRequest } from './harness.js';
import { listed, progressUntil } from './waits.js';

const install = await findTemporalServer();
const missing = [
  ...(install ? [] : [`Temporal server ${TEMPORAL_SERVER_VERSION} is not installed: ${SERVER_INSTALL_HINT}`]),
  ...(findPostgres() ? [] : [POSTGRES_MISSING]),
];
const CI = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';
if (missing.length > 0 && !CI) console.warn(`[real-server] skipped (CI is unset): ${missing.join('; ')}`);

const FAST = {
  targetVersion: '1.31',
  pollInterval: '200ms',
  clusterDeadline: '60s',
  retry: { maxAttempts: 0 },
  ignoreMaintenanceSchedule: true,
} as const;

/** Every cluster at 1.31, and one upgrade request each: nothing asked twice. */
async function expectEachUpgradedOnce(h: Harness, total: number): Promise<void> {
  const { clusters } = await h.inspect<{ clusters: SimCluster[] }>('/_sim/clusters');
  const upgraded = clusters.filter((c) => c.version.replace(/^v/, '').startsWith('1.31'));
  expect(upgraded).toHaveLength(total);
  const { requests } = await h.inspect<{ requests: SimRequest[] }>('/_sim/requests');
  const upgrades = requests.filter((r) => r.clusterId && (r.method === 'PUT' || r.method === 'POST'));
  expect(upgrades).toHaveLength(total);
  expect(new Set(upgrades.map((r) => r.clusterId)).size).toBe(total);
}

describe.skipIf(missing.length > 0 && !CI)(`a real Temporal server ${TEMPORAL_SERVER_VERSION} on PostgreSQL`, () => {
  let server: RealTemporalServer | undefined;
  const harnesses: Harness[] = [];
  const harness = async (...args: Parameters<typeof startHarness>) => {
    const h = await startHarness(...args);
    harnesses.push(h);
    return h;
  };
  const temporal = () => ({ address: server!.address, namespace: server!.namespace });

  beforeAll(async () => {
    if (missing.length > 0) throw new Error(`CI is set and the real server cannot run: ${missing.join('; ')}`);
    const started = Date.now();
    // Error lines are routine while the services find each other (and after the kill): only a crash is news here.
    server = await startTemporalServer({
      onLog: (line) => /"level":"(dpanic|panic|fatal)"/.test(line) && console.error(`[temporal-server] ${line}`),
    });
    console.log(
      `[real-server] Temporal server ${server.version} at ${server.address} on PostgreSQL :${server.postgres.port}, up in ${Date.now() - started} ms`,
    );
  }, 180_000);
  afterAll(async () => {
    for (const h of harnesses) await h.close();
    await server?.stop();
  });

  it('knows every key of its dynamic config (a misspelt one would be ignored silently)', async () => {
    const { stdout } = await promisify(execFile)(install!.server, [
      'validate-dynamic-config',
      join(server!.dir, 'dynamicconfig.yaml'),
    ]);
    expect(stdout).not.toMatch(/error:|warning:/);
  });

  it('runs a rollout over Aether and Avisi to the end, its search attributes in visibility', async () => {
    const h = await harness(
      {
        generate: { seed: 77, avisi: { clusters: 4 }, aether: { clusters: 4 }, minors: ['1.30'] },
        timeScale: 86_400,
        rateLimitPerMinute: { aether: 0 },
      },
      undefined,
      { temporal: temporal() },
    );
    const targets = [
      { platform: 'aether' as const, organisation: h.sim.organisations.aether[0]! },
      { platform: 'avisi' as const, organisation: h.sim.organisations.avisi[0]! },
    ];
    const id = `real-server-${Date.now()}`;
    const report = await h.runRollout(
      {
        ...FAST,
        targets,
        maxParallel: 4,
        waves: [{ name: 'canary', match: { platform: 'aether' }, size: 1 }, { name: 'rest' }],
      },
      id,
    );
    expect(report).toMatchObject({ status: 'SUCCEEDED', total: 8, counts: { SUCCEEDED: 8 }, clusters: [] });
    await expectEachUpgradedOnce(h, 8);

    // SQL visibility on PostgreSQL: a KeywordList, a Keyword set at the end, the children by rollout.
    const [rollout] = await listed(h.client, `${FleetPlatforms.name} = 'aether' AND WorkflowId = '${id}'`, 1);
    expect(rollout!.typedSearchAttributes.get(FleetPlatforms)?.sort()).toEqual(['aether', 'avisi']);
    await listed(h.client, `WorkflowId = '${id}' AND ${FleetPhase.name} = 'done'`, 1);
    await listed(h.client, `FleetRolloutId = '${id}' AND WorkflowType = 'clusterUpgrade'`, 8);
  });

  it('steers a rollout through updates while the server is SIGKILLed and restarted, and PostgreSQL restarted', async () => {
    const h = await harness(slowAetherFleet(78, 6, 4), undefined, { temporal: temporal() });
    const handle = await h.startPaused({
      ...FAST,
      platform: 'aether',
      organisation: h.sim.organisations.aether[0]!,
      maxParallel: 2,
      waves: [{ name: 'all' }],
    });
    expect(await progressUntil(handle, (p) => p.phase === 'upgrading', 'planned, paused')).toMatchObject({
      paused: true,
      running: [],
      pending: 6,
    });

    await handle.executeUpdate(resumeUpdate, { args: [{ by: 'test', reason: 'go' }] });
    await progressUntil(handle, (p) => p.running.length > 0, 'clusters upgrading');
    await handle.executeUpdate(pauseUpdate, { args: [{ by: 'test', reason: 'hold while the server goes down' }] });
    await listed(h.client, `WorkflowId = '${handle.workflowId}' AND ${FleetPhase.name} = 'paused'`, 1);

    // Down mid-rollout (clusters wait, some may still upgrade): a crash of the server, then a database restart under it.
    expect((await handle.query(progressQuery)).pending).toBeGreaterThan(0);
    const before = server!.pids;
    await server!.kill();
    expect(server!.pids.server).toBeUndefined();
    await server!.restart();
    await server!.postgres.restart();
    expect(server!.pids.server).not.toBe(before.server);
    expect(server!.pids.postgres).not.toBe(before.postgres);

    // The in-process worker and the client reconnected by themselves.
    await handle.executeUpdate(resumeUpdate, { args: [{ by: 'test', reason: 'server back' }] });
    const report = await handle.result();
    expect(report).toMatchObject({ status: 'SUCCEEDED', total: 6, counts: { SUCCEEDED: 6 } });
    expect(report.actions.map((a) => a.action)).toEqual(['pause', 'resume', 'pause', 'resume']);
    await expectEachUpgradedOnce(h, 6);
  });

  it('continues as new with clusters in flight, then an abort cancels and compensates what the first run started', async () => {
    // An hour of simulated time per real minute: the Avisi maintenance windows stay days away.
    const h = await harness(
      {
        generate: { seed: 73, avisi: { clusters: 12 }, aether: { clusters: 1 }, minors: ['1.30'] },
        timeScale: 60,
        rateLimitPerMinute: { aether: 0 },
      },
      undefined,
      { temporal: temporal() },
    );
    await abortAfterContinueAsNew(h);
  });

  it('lets only one of two rollouts upgrade a cluster; the other asks nothing and reports it SUPERSEDED', async () => {
    const h = await harness(slowAetherFleet(74, 2, 3), undefined, { temporal: temporal() });
    await twoRolloutsOverOneCluster(h);
  });
});
