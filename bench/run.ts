/**
 * `npm run bench`: each scenario measured three ways in one run, against the simulator:
 *   (a) the ideal makespan, ceil(N / c) x T: the physical limit;
 *   (b) a plain non-durable script (plain-script.ts) over the same API calls;
 *   (c) fleetwave, on each server asked for (`--servers`, one after the other):
 *       `dev`, a Temporal dev server (the default, the targets' server), and `real`, the
 *       Temporal server `npm run server:install` builds, on a throwaway PostgreSQL.
 * Writes bench/results/bench-<scenario>.json (dev) and bench-<scenario>-real.json
 * (real), and prints one table with a row per scenario and server.
 *
 *   npm run bench                               # every scenario on the dev server (about an hour on 2 cores)
 *   npm run bench -- --scenario n1000-c100-t5   # one
 *   npm run bench -- --scenario n1000-c100-t5 --servers dev,real   # side by side (also: --server real)
 *   npm run bench -- --scenario n1000-c100-t5 --clusters 200   # smaller, same shape
 *   npm run bench -- --scenario n10000-c1000-t30 --worker-heap 512   # the worker's V8 heap capped (MiB),
 *                                               # as Node sizes it in a pod with a 1 GiB memory limit
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDuration } from '../src/domain/durations.js';
import { createPlatformClient, platformConfigFromEnv } from '../src/platforms/index.js';
import { writeWorkflowBundle } from '../src/workflow-bundle.js';
import {
  runFleetwave,
  SERVER_KINDS,
  ServerUnavailable,
  simulatorFor,
  type FleetwaveResult,
  type ServerKind,
} from './fleetwave-run.js';
import { runListPoller } from './list-poller.js';
import { localBudget } from './local-budget.js';
import { requestKindsPerCluster } from './request-kinds.js';
import { runPlainScript, type ScriptResult } from './plain-script.js';
import { idealMakespanSeconds, SCENARIOS, type Scenario } from './scenarios.js';

const SEED = 20_261_123;

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', multiple: true },
    clusters: { type: 'string' },
    servers: { type: 'string', multiple: true },
    server: { type: 'string', multiple: true },
    'worker-heap': { type: 'string' },
  },
});
const chosen = values.scenario ?? SCENARIOS.map((s) => s.name);
const unknown = chosen.filter((name) => !SCENARIOS.some((s) => s.name === name));
if (unknown.length > 0)
  throw new Error(`--scenario: unknown ${unknown.join(', ')}; choose from ${SCENARIOS.map((s) => s.name).join(', ')}`);
const clustersOverride = values.clusters === undefined ? undefined : Number(values.clusters);
if (clustersOverride !== undefined && !(Number.isInteger(clustersOverride) && clustersOverride > 0))
  throw new Error(`--clusters: a whole number above 0, got ${values.clusters}`);
const workerHeapMiB = values['worker-heap'] === undefined ? undefined : Number(values['worker-heap']);
if (workerHeapMiB !== undefined && !(Number.isInteger(workerHeapMiB) && workerHeapMiB >= 128))
  throw new Error(`--worker-heap: MiB, a whole number of at least 128, got ${values['worker-heap']}`);

const serverList = [...(values.servers ?? []), ...(values.server ?? [])]
  .flatMap((list) => list.split(','))
  .map((name) => name.trim())
  .filter(Boolean);
const badServers = serverList.filter((name) => !(SERVER_KINDS as readonly string[]).includes(name));
if (badServers.length > 0)
  throw new Error(
    `--servers: unknown ${badServers.join(', ')}; choose from ${SERVER_KINDS.join(', ')} (comma-separated)`,
  );
const servers: ServerKind[] =
  serverList.length === 0 ? ['dev'] : SERVER_KINDS.filter((kind) => serverList.includes(kind));

const log = (line: string) => console.error(line);
const runStartedAt = new Date().toISOString();
const workflowBundle = join(await mkdtemp(join(tmpdir(), 'fleet-bench-bundle-')), 'workflows.bundle.js');
await writeWorkflowBundle(workflowBundle);

/** A script's makespan, with what it asked of the API: requests per cluster and the 429s it got. */
type ScriptRun = ScriptResult & {
  readonly requestsPerCluster: number;
  readonly rateLimited: number;
  readonly requestKindsPerCluster: Record<string, number>;
};

/** `per-cluster` polls each upgrade with its own GET (plain-script.ts); `pages` lists pages (list-poller.ts). */
async function runScript(scenario: Scenario, polling: 'per-cluster' | 'pages' = 'per-cluster'): Promise<ScriptRun> {
  const sim = await simulatorFor(scenario, SEED);
  try {
    const config = platformConfigFromEnv({
      AETHER_API_URL: `${sim.url}/api/v1`,
      AETHER_API_TOKEN: sim.tokens.aether[sim.organisations.aether[0]!]!,
      AETHER_API_RATE_PER_MINUTE: '0',
    });
    const options = {
      client: createPlatformClient('aether', config, undefined, localBudget(scenario.rateLimitPerMinute ?? 0)),
      organisation: sim.organisations.aether[0]!,
      version: '1.31',
      concurrency: scenario.maxParallel,
      pollMs: parseDuration(scenario.pollInterval)!,
    };
    const result = polling === 'pages' ? await runListPoller(options) : await runPlainScript(options);
    const traffic = (await (await fetch(`${sim.url}/_sim/traffic`)).json()) as {
      aether: { requests: number; rateLimited: number };
    };
    const requestsPerCluster = Math.round((traffic.aether.requests / scenario.clusters) * 100) / 100;
    const requestKinds = await requestKindsPerCluster(sim.url, scenario.clusters);
    return {
      ...result,
      requestsPerCluster,
      rateLimited: traffic.aether.rateLimited,
      requestKindsPerCluster: requestKinds,
    };
  } finally {
    await sim.close();
  }
}

function verdicts(scenario: Scenario, ideal: number, fleetwave: FleetwaveResult) {
  const t = scenario.targets;
  return {
    ...(t.maxRatioToIdeal !== undefined
      ? {
          ratioToIdeal: {
            target: `<= ${t.maxRatioToIdeal}`,
            met: fleetwave.makespanSeconds / ideal <= t.maxRatioToIdeal,
          },
        }
      : {}),
    ...(t.minClustersPerSecond !== undefined
      ? {
          clustersPerSecond: {
            target: `>= ${t.minClustersPerSecond}`,
            met: fleetwave.clustersPerSecond >= t.minClustersPerSecond,
          },
        }
      : {}),
    ...(t.maxEventsPerRun !== undefined
      ? {
          eventsPerRun: {
            target: `< ${t.maxEventsPerRun}`,
            met:
              fleetwave.parentEventsMax < t.maxEventsPerRun && fleetwave.eventsPerCluster.childMax < t.maxEventsPerRun,
          },
        }
      : {}),
    ...(t.maxWorkerRssBytes !== undefined
      ? {
          workerRss: {
            target: `<= ${t.maxWorkerRssBytes / 1024 ** 2} MiB`,
            met: (fleetwave.workerPeakRssBytes ?? Infinity) <= t.maxWorkerRssBytes,
          },
        }
      : {}),
    ...(t.maxEventsPerCluster !== undefined
      ? {
          eventsPerCluster: {
            target: `<= ${t.maxEventsPerCluster}`,
            met: fleetwave.eventsPerCluster.child + fleetwave.eventsPerCluster.claim <= t.maxEventsPerCluster,
          },
        }
      : {}),
  };
}

/** On the real server the dev server's targets are not asked for; its makespan is held to the ratio measured there before. */
function realVerdicts(scenario: Scenario, ideal: number, fleetwave: FleetwaveResult) {
  const beat = scenario.realServer?.beatRatioToIdeal;
  return beat !== undefined && ideal > 0
    ? { ratioToIdeal: { target: `< ${beat} (the real server before)`, met: fleetwave.makespanSeconds / ideal < beat } }
    : {};
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
const cpuCell = (seconds: number | undefined, clusters: number) =>
  seconds === undefined ? 'not read' : `${seconds} (${Math.round((seconds * 1000) / clusters)} ms)`;

const rows: string[][] = [];
for (const name of chosen) {
  const base = SCENARIOS.find((s) => s.name === name)!;
  const sized: Scenario = clustersOverride
    ? { ...base, name: `${base.name}-n${clustersOverride}`, clusters: clustersOverride }
    : base;
  const scenario: Scenario = workerHeapMiB ? { ...sized, name: `${sized.name}-heap${workerHeapMiB}` } : sized;
  const ideal = idealMakespanSeconds(scenario, parseDuration(scenario.pollInterval)!);
  log(
    `== ${scenario.name}: N=${scenario.clusters} c=${scenario.maxParallel} T=${scenario.upgradeSeconds}s, ideal ${ideal}s`,
  );
  log('  plain script ...');
  const script = await runScript(scenario);
  log(`  plain script: ${script.makespanSeconds.toFixed(1)}s, ${script.requestsPerCluster} requests/cluster`);
  // Under a rate limit the anchor is the script that polls by the page.
  const anchor = scenario.rateLimitPerMinute ? await runScript(scenario, 'pages') : undefined;
  if (anchor)
    log(`  list-polling script: ${anchor.makespanSeconds.toFixed(1)}s, ${anchor.requestsPerCluster} requests/cluster`);
  const results = new Map<ServerKind, FleetwaveResult>();
  for (const kind of servers) {
    log(`  fleetwave on the ${kind} server ...`);
    try {
      const fleetwave = await runFleetwave(scenario, SEED, workflowBundle, kind, log, workerHeapMiB);
      log(
        `  fleetwave on the ${kind} server: ${fleetwave.makespanSeconds}s, ${fleetwave.apiCallsPerCluster} requests/cluster, ${fleetwave.rateLimited} 429s ${JSON.stringify(fleetwave.requestKindsPerCluster)}${fleetwave.apiBudgetWait ? `, budget: ${fleetwave.apiBudgetWait.calls} calls waited ${fleetwave.apiBudgetWait.meanMs} ms on average` : ''}${fleetwave.unread.length > 0 ? `; not read: ${fleetwave.unread.join('; ')}` : ''}`,
      );
      results.set(kind, fleetwave);
    } catch (error) {
      if (!(error instanceof ServerUnavailable)) throw error;
      log(`  SKIPPED the ${kind} server: ${error.message}`);
      rows.push([
        scenario.name,
        kind,
        `${ideal}`,
        script.makespanSeconds.toFixed(1),
        `skipped: ${error.message}`,
        ...Array<string>(10).fill(''),
      ]);
    }
  }
  const sideBySide = Object.fromEntries(
    [...results].map(([kind, f]) => [
      kind,
      {
        makespanSeconds: f.makespanSeconds,
        toIdeal: ideal > 0 ? round3(f.makespanSeconds / ideal) : null,
        clustersPerSecond: f.clustersPerSecond,
        eventsPerCluster: f.eventsPerCluster.child + f.eventsPerCluster.claim,
        persistenceRequestsPerCluster: f.serverPersistencePerCluster?.total ?? null,
        cpuSeconds: f.cpuSeconds,
      },
    ]),
  );
  for (const [kind, fleetwave] of results) {
    const result = {
      bench: 'rollout',
      server: fleetwave.server,
      scenario,
      idealMakespanSeconds: ideal,
      script: { ...script, makespanSeconds: Math.round(script.makespanSeconds * 100) / 100 },
      ...(anchor ? { listPollingScript: { ...anchor, makespanSeconds: round3(anchor.makespanSeconds) } } : {}),
      fleetwave,
      ratios: {
        toIdeal: ideal > 0 ? round3(fleetwave.makespanSeconds / ideal) : null,
        toScript: round3(fleetwave.makespanSeconds / script.makespanSeconds),
        ...(anchor ? { toListPollingScript: round3(fleetwave.makespanSeconds / anchor.makespanSeconds) } : {}),
      },
      targets: kind === 'dev' ? verdicts(scenario, ideal, fleetwave) : realVerdicts(scenario, ideal, fleetwave),
      // Every server of this invocation, one after the other, with the same script and ideal.
      run: { startedAt: runStartedAt, servers, sideBySide },
      machine: { cpus: cpus().length, node: process.version },
      ...(workerHeapMiB ? { workerHeapMiB } : {}),
      at: new Date().toISOString(),
    };
    const dir = join(import.meta.dirname, 'results');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, `bench-${scenario.name}${kind === 'dev' ? '' : `-${kind}`}.json`),
      `${JSON.stringify(result, null, 2)}\n`,
    );
    const mib =
      fleetwave.workerPeakRssBytes === undefined ? '-' : `${Math.round(fleetwave.workerPeakRssBytes / 1024 ** 2)}`;
    const cpu = fleetwave.cpuSeconds;
    rows.push([
      scenario.name,
      kind,
      `${ideal}`,
      script.makespanSeconds.toFixed(1),
      `${fleetwave.makespanSeconds}`,
      `${result.ratios.toIdeal ?? '-'}`,
      `${result.ratios.toScript}`,
      `${fleetwave.clustersPerSecond}`,
      `${fleetwave.eventsPerCluster.child}+${fleetwave.eventsPerCluster.claim}`,
      fleetwave.serverPersistencePerCluster === null ? 'not read' : `${fleetwave.serverPersistencePerCluster.total}`,
      cpuCell(cpu.temporalServer, scenario.clusters),
      kind === 'dev' ? '- (SQLite in the server)' : cpuCell(cpu.database, scenario.clusters),
      cpuCell(cpu.worker, scenario.clusters),
      mib,
      Object.entries(result.targets)
        .map(([k, v]) => `${k} ${v.target}: ${v.met ? 'met' : 'MISSED'}`)
        .join(', ') || '-',
    ]);
  }
}

const headers = [
  'scenario',
  'server',
  'ideal s',
  'script s',
  'fleetwave s',
  'x ideal',
  'x script',
  'clusters/s',
  'events/cluster (child+claim)',
  'persistence requests/cluster',
  'server CPU s (per cluster)',
  'database CPU s (per cluster)',
  'worker CPU s (per cluster)',
  'worker peak RSS MiB',
  'targets',
];
console.log(
  `| ${headers.join(' | ')} |\n| ${headers.map(() => '---').join(' | ')} |\n${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}`,
);
