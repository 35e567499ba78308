/**
 * Nothing waits in silence on a namespace without fleetwave's search attributes. On a
 * dev server of its own started WITHOUT them (as a plain `temporal server start-dev`),
 * with a second namespace `nofp` set up before FleetPlatforms existed (every attribute
 * but that one):
 *
 * - a worker warns at start, naming each attribute and the command that registers it,
 *   and says which platforms it can serve; with FLEET_WORKER_REQUIRE_NAMESPACE=true it
 *   refuses to start (exit 1).
 * - `fleet rollout start` and `plan` refuse (exit 1) before starting anything.
 * - a one-target rollout, a two-platform rollout on `nofp` and a cluster upgrade,
 *   started by the `temporal` CLI, fail with that message before any platform call or
 *   search attribute upsert, instead of retrying their first workflow task for ever;
 *   a one-target rollout on `nofp` runs; both histories replay.
 * - the command the message prints registers them all.
 *
 * On main before the fix, `fleet rollout start --wait` hung, the raw rollouts' first task
 * failed every 10 s for ever (BadSearchAttributes), and the worker said nothing at start.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection, WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import proto from '@temporalio/proto';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../../src/devserver/dev-server.js';
import { findTemporalCli } from '../../src/devserver/temporal-cli.js';
import { setUpNamespace } from '../../src/devserver/temporal-namespace.js';
import { NAMESPACE_NOT_READY } from '../../src/domain/failure-types.js';
import { createLogger, silentLogger } from '../../src/logger.js';
import { namespaceProblem, searchAttributeGaps } from '../../src/namespace-check.js';
import { installSdkLogging } from '../../src/sdk-logging.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { createFleetWorker, depsFromEnv, WORKFLOWS_PATH } from '../../src/worker.js';
import { rolloutSearchAttributes } from '../../src/workflows/search-attributes.js';
import { fleet } from '../support/fleet-cli.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import type { SimRequest } from './harness.js';

installSdkLogging(createLogger({ level: 'error' }), 'ERROR');

const run = promisify(execFile);
const NOFP = 'nofp';
const CREATE_ALL =
  /temporal operator search-attribute create --namespace default --name FleetRolloutId --type Keyword .*--name FleetFailedClusters --type Int/;
const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as never;

let server: DevServer;
let connection: Connection;
let sim: RunningSimulator;
let temporalCli: string;
let dir: string;
let workerOnDefault: WorkerProcess;
let workerOnNofp: { worker: Worker; running: Promise<void>; connection: NativeConnection };
let simEnv: Record<string, string>;
let bundleCode: string;
const defaultQueue = 'namespace-check-default';
const nofpQueue = 'namespace-check-nofp';

beforeAll(async () => {
  // `default` always exists; `nofp` is created at launch, then given every attribute but FleetPlatforms.
  server = await startDevServer({ searchAttributes: [], namespace: NOFP });
  connection = await Connection.connect({ address: server.address });
  const bundled = bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: silent });
  await setUpNamespace(connection, NOFP, 60_000, rolloutSearchAttributes(1));
  sim = await startSimulator({
    generate: { seed: 1709, avisi: { clusters: 3 }, aether: { clusters: 3 }, minors: ['1.30'] },
    timeScale: 86_400,
  });
  const aetherOrg = sim.organisations.aether[0]!;
  simEnv = {
    AVISI_API_URL: `${sim.url}/api/v1`,
    AVISI_API_TOKEN: sim.tokens.avisi,
    AETHER_API_URL: `${sim.url}/api/v1`,
    AETHER_API_TOKEN: sim.tokens.aether[aetherOrg]!,
    AVISI_API_RATE_PER_MINUTE: '0',
    AETHER_API_RATE_PER_MINUTE: '0',
  };
  const cli = await findTemporalCli({ install: true });
  if (cli.kind !== 'binary') throw new Error('these tests run the temporal CLI');
  temporalCli = cli.path;
  // One bundle for both workers: the process reads it from a file, as a production worker does.
  const { code } = await bundled;
  bundleCode = code;
  dir = await mkdtemp(join(tmpdir(), 'fleet-namespace-'));
  await writeFile(join(dir, 'workflow-bundle.js'), code);
  // The worker process drives Avisi only: it must say it cannot serve Aether.
  [workerOnDefault, workerOnNofp] = await Promise.all([
    startWorkerProcess({
      taskQueue: defaultQueue,
      env: { ...simEnv, AETHER_API_TOKEN: '', FLEET_WORKFLOW_BUNDLE: join(dir, 'workflow-bundle.js') },
      temporal: { address: server.address, namespace: 'default' },
    }),
    (async () => {
      const native = await NativeConnection.connect({ address: server.address });
      const worker = await createFleetWorker({
        connection: native,
        namespace: NOFP,
        taskQueue: nofpQueue,
        deps: depsFromEnv(silentLogger, simEnv),
        workflowBundle: { code },
        shutdownGraceTime: '1s',
      });
      return { worker, running: worker.run(), connection: native };
    })(),
  ]);
}, 120_000);

afterAll(async () => {
  await workerOnDefault?.stop('SIGKILL');
  workerOnNofp?.worker.shutdown();
  await workerOnNofp?.running;
  await workerOnNofp?.connection.close();
  await sim?.close();
  await connection?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The `temporal` CLI against the test's server, as an operator runs it. */
const temporal = (...args: string[]) => run(temporalCli, [...args, '--address', server.address]);

/** Starts a workflow with the `temporal` CLI and returns how it ended: its failure, or its result. */
async function rawStart(
  namespace: string,
  taskQueue: string,
  type: string,
  id: string,
  input: unknown,
): Promise<{ failure?: ApplicationFailure; result?: unknown }> {
  await temporal(
    'workflow',
    'start',
    '--namespace',
    namespace,
    '--task-queue',
    taskQueue,
    '--type',
    type,
    '--workflow-id',
    id,
    '--input',
    JSON.stringify(input),
  );
  const client = new Client({ connection, namespace });
  try {
    return { result: await client.workflow.getHandle(id).result() };
  } catch (error) {
    if (error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure)
      return { failure: error.cause };
    throw error;
  }
}

/** The event types of a workflow's history, and the Fleet* search attributes it upserted (the SDK upserts TemporalChangeVersion for a patch). */
async function historyOf(namespace: string, id: string): Promise<{ types: string[]; fleetUpserts: string[] }> {
  const history = await new Client({ connection, namespace }).workflow.getHandle(id).fetchHistory();
  const events = history.events ?? [];
  const upserted = events.flatMap((event) =>
    Object.keys(event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}),
  );
  return {
    types: events.map(
      (event) => proto.temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? String(event.eventType),
    ),
    fleetUpserts: upserted.filter((key) => key.startsWith('Fleet')),
  };
}

const mutatingRequests = async (): Promise<SimRequest[]> =>
  ((await (await fetch(`${sim.url}/_sim/requests`)).json()) as { requests: SimRequest[] }).requests;

describe('a worker on a namespace without the search attributes', () => {
  it('warns at start with the command that registers them, and says which platforms it can serve', async () => {
    const warning = await workerOnDefault.waitForLine((line) => line.includes('lacks fleetwave'));
    const { msg, level, missing } = JSON.parse(warning) as { msg: string; level: number; missing: string[] };
    expect(level).toBe(40);
    expect(missing).toHaveLength(9);
    expect(msg).toMatch(CREATE_ALL);
    expect(msg).toContain('FLEET_WORKER_REQUIRE_NAMESPACE=true');
    const platforms = JSON.parse(await workerOnDefault.waitForLine((line) => line.includes('cannot serve'))) as {
      msg: string;
    };
    expect(platforms.msg).toBe('serves avisi (AVISI_API_TOKEN); cannot serve aether: set AETHER_API_TOKEN');
    expect(workerOnDefault.lines.join('\n')).not.toContain(simEnv.AVISI_API_TOKEN);
  });

  it('refuses to start with FLEET_WORKER_REQUIRE_NAMESPACE=true, naming what is missing', async () => {
    const worker = (namespace: string) =>
      fleet(
        {
          ...simEnv,
          TEMPORAL_ADDRESS: server.address,
          TEMPORAL_NAMESPACE: namespace,
          FLEET_WORKER_REQUIRE_NAMESPACE: 'true',
        },
        'worker',
      );
    const [bare, nofp] = await Promise.all([worker('default'), worker(NOFP)]);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toMatch(CREATE_ALL);
    expect(bare.stderr).toContain('FLEET_WORKER_REQUIRE_NAMESPACE=true: not starting.');
    expect(nofp.code).toBe(1);
    expect(nofp.stderr).toContain(
      `namespace ${NOFP} lacks fleetwave's search attribute FleetPlatforms (KeywordList): rollouts over several targets set it`,
    );
    expect(nofp.stderr).toContain(
      `temporal operator search-attribute create --namespace ${NOFP} --name FleetPlatforms --type KeywordList\n`,
    );
  });
});

describe('fleet rollout start and plan on such a namespace', () => {
  it('refuse with the same message (exit 1) before starting anything', async () => {
    const env = { TEMPORAL_ADDRESS: server.address, FLEET_TASK_QUEUE: defaultQueue };
    const spec = join(dir, 'two.json');
    await writeFile(
      spec,
      JSON.stringify({
        targets: [
          { platform: 'avisi', organisation: sim.organisations.avisi[0] },
          { platform: 'aether', organisation: sim.organisations.aether[0] },
        ],
        targetVersion: '1.31',
      }),
    );
    const [start, plan, two] = await Promise.all([
      fleet(
        env,
        'rollout',
        'start',
        '--platform',
        'avisi',
        '--organisation',
        'acme',
        '--target',
        '1.31',
        '--id',
        'cli-start',
        '--wait',
      ),
      fleet(
        env,
        'rollout',
        'plan',
        '--platform',
        'avisi',
        '--organisation',
        'acme',
        '--target',
        '1.31',
        '--id',
        'cli-plan',
      ),
      fleet({ ...env, TEMPORAL_NAMESPACE: NOFP }, 'rollout', 'start', '-f', spec, '--id', 'cli-two'),
    ]);
    for (const result of [start, plan]) {
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(
        /^fleet: namespace default lacks fleetwave's search attributes FleetRolloutId \(Keyword\)/,
      );
      expect(result.stderr).toMatch(CREATE_ALL);
      expect(result.stderr).toContain('Nothing was started.');
    }
    expect(two.code, two.stderr).toBe(1);
    expect(two.stderr).toContain(`create --namespace ${NOFP} --name FleetPlatforms --type KeywordList`);
    const described = (namespace: string, id: string) =>
      new Client({ connection, namespace }).workflow.getHandle(id).describe();
    for (const [namespace, id] of [
      ['default', 'cli-start'],
      ['default', 'cli-plan'],
      [NOFP, 'cli-two'],
    ] as const) {
      await expect(described(namespace, id)).rejects.toBeInstanceOf(WorkflowNotFoundError);
    }
  });
});

describe('a rollout started by another client on such a namespace', () => {
  it('fails with the message before any platform call or upsert (one target, no attributes)', async () => {
    const { failure } = await rawStart('default', defaultQueue, 'fleetRollout', 'raw-one', {
      platform: 'avisi',
      organisation: 'acme',
      targetVersion: '1.31',
    });
    expect(failure?.type).toBe(NAMESPACE_NOT_READY);
    expect(failure?.message).toMatch(CREATE_ALL);
    // A single-target rollout does not need FleetPlatforms: the message does not ask for it.
    expect(failure?.message).not.toContain('FleetPlatforms');
    const { types: events, fleetUpserts } = await historyOf('default', 'raw-one');
    expect(events.at(-1)).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_FAILED');
    expect(fleetUpserts).toEqual([]);
    expect(events.filter((type) => type === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED')).toHaveLength(1);
    expect(events.filter((type) => type === 'EVENT_TYPE_WORKFLOW_TASK_FAILED')).toEqual([]);
    expect(await mutatingRequests()).toEqual([]);
  });

  it('fails for a two-platform rollout where only FleetPlatforms is missing; a one-target rollout there runs', async () => {
    const targets = [
      { platform: 'avisi', organisation: sim.organisations.avisi[0] },
      { platform: 'aether', organisation: sim.organisations.aether[0] },
    ];
    const [two, one] = await Promise.all([
      rawStart(NOFP, nofpQueue, 'fleetRollout', 'raw-two', { targets, targetVersion: '1.31' }),
      rawStart(NOFP, nofpQueue, 'fleetRollout', 'raw-one-nofp', {
        platform: 'avisi',
        organisation: sim.organisations.avisi[0],
        targetVersion: '1.31',
        dryRun: true,
      }),
    ]);
    expect(two.failure?.type).toBe(NAMESPACE_NOT_READY);
    expect(two.failure?.message).toBe(namespaceProblem(NOFP, [{ name: 'FleetPlatforms', type: 'KEYWORD_LIST' }]));
    expect((await historyOf(NOFP, 'raw-two')).fleetUpserts).toEqual([]);
    expect(one.failure).toBeUndefined();
    expect(one.result).toMatchObject({ status: 'SUCCEEDED', dryRun: true, total: 3 });
    expect(await mutatingRequests()).toEqual([]);
    // Both paths through the check replay (the patch, the activity, then planning or the failure).
    const client = new Client({ connection, namespace: NOFP });
    for (const id of ['raw-two', 'raw-one-nofp']) {
      await Worker.runReplayHistory(
        { workflowBundle: { code: bundleCode } },
        await client.workflow.getHandle(id).fetchHistory(),
        id,
      );
    }
  });

  it('fails a cluster upgrade started without its attributes the same way, before it asks the platform', async () => {
    const [cluster] = (
      (await (await fetch(`${sim.url}/_sim/clusters`)).json()) as {
        clusters: { platform: string; id: string; name: string; version: string }[];
      }
    ).clusters.filter((c) => c.platform === 'avisi');
    const input = {
      rolloutId: 'raw-child-rollout',
      platform: 'avisi',
      organisation: sim.organisations.avisi[0],
      cluster: { id: cluster!.id, name: cluster!.name, version: cluster!.version },
      requestVersion: '1.31',
      retryMaxAttempts: 0,
      rescheduleMaxAttempts: 0,
      pollIntervalMs: 1000,
      attemptDeadlineMs: 60_000,
      ignoreMaintenanceSchedule: true,
      engine: 2,
    };
    const { failure } = await rawStart('default', defaultQueue, 'clusterUpgrade', 'raw-child', input);
    expect(failure?.type).toBe(NAMESPACE_NOT_READY);
    expect(failure?.message).toContain('FleetClusterId (Keyword)');
    expect(failure?.message).not.toContain('FleetProgressPercent');
    const child = await historyOf('default', 'raw-child');
    expect(child.types.at(-1)).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_FAILED');
    expect(child.fleetUpserts).toEqual([]);
    expect(await mutatingRequests()).toEqual([]);
  });
});

describe('the command the message prints', () => {
  it('registers every attribute it names', async () => {
    const message = namespaceProblem('default', await searchAttributeGaps(connection, 'default'))!;
    const command = message
      .split('\n')
      .find((line) => line.includes('search-attribute create'))!
      .trim();
    const [, ...args] = command.split(' ');
    await temporal(...args);
    expect(await searchAttributeGaps(connection, 'default')).toEqual([]);
  });
});
