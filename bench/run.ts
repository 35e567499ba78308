/**
 * `npm run bench`: each scenario measured three ways in one run, against the simulator:
 *   (a) the ideal makespan, ceil(N / c) x T: the physical limit;
 *   (b) a plain non-durable script (plain-script.ts) over the same API calls;
 *   (c) fleetwave on a real dev server.
 * Writes bench/results/bench-<scenario>.json and prints a table.
 *
 *   npm run bench                               # every scenario (about an hour on 2 cores)
 *   npm run bench -- --scenario n1000-c100-t5   # one
 *   npm run bench -- --scenario n1000-c100-t5 --clusters 200   # smaller, same shape
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDuration } from '../src/domain/durations.js';
import { createPlatformClient, platformConfigFromEnv } from '../src/platforms/index.js';
import { writeWorkflowBundle } from '../src/workflow-bundle.js';
import { runFleetwave, simulatorFor, type FleetwaveResult } from './fleetwave-run.js';
import { runPlainScript, type ScriptResult } from './plain-script.js';
import { idealMakespanSeconds, SCENARIOS, type Scenario } from './scenarios.js';

const SEED = 20_261_123;

const { values } = parseArgs({ options: { scenario: { type: 'string', multiple: true }, clusters: { type: 'string' } } });
const chosen = values.scenario ?? SCENARIOS.map((s) => s.name);
const unknown = chosen.filter((name) => !SCENARIOS.some((s) => s.name === name));
if (unknown.length > 0) throw new Error(`--scenario: unknown ${unknown.join(', ')}; choose from ${SCENARIOS.map((s) => s.name).join(', ')}`);
const clustersOverride = values.clusters === undefined ? undefined : Number(values.clusters);
if (clustersOverride !== undefined && !(Number.isInteger(clustersOverride) && clustersOverride > 0)) throw new Error(`--clusters: a whole number above 0, got ${values.clusters}`);

const log = (line: string) => console.error(line);
const workflowBundle = join(await mkdtemp(join(tmpdir(), 'fleet-bench-bundle-')), 'workflows.bundle.js');
await writeWorkflowBundle(workflowBundle);

async function runScript(scenario: Scenario): Promise<ScriptResult> {
  const sim = await simulatorFor(scenario, SEED);
  try {
    const config = platformConfigFromEnv({ AETHER_API_URL: `${sim.url}/api/v1`, AETHER_API_TOKEN: sim.tokens.aether[sim.organisations.aether[0]!]!, AETHER_API_RATE_PER_MINUTE: '0' });
    const client = createPlatformClient('aether', config);
    return await runPlainScript({ client, organisation: sim.organisations.aether[0]!, version: '1.31', concurrency: scenario.maxParallel, pollMs: parseDuration(scenario.pollInterval)! });
  } finally {
    await sim.close();
  }
}

function verdicts(scenario: Scenario, ideal: number, fleetwave: FleetwaveResult) {
  const t = scenario.targets;
  return {
    ...(t.maxRatioToIdeal !== undefined ? { ratioToIdeal: { target: `<= ${t.maxRatioToIdeal}`, met: fleetwave.makespanSeconds / ideal <= t.maxRatioToIdeal } } : {}),
    ...(t.minClustersPerSecond !== undefined ? { clustersPerSecond: { target: `>= ${t.minClustersPerSecond}`, met: fleetwave.clustersPerSecond >= t.minClustersPerSecond } } : {}),
    ...(t.maxEventsPerRun !== undefined ? { eventsPerRun: { target: `< ${t.maxEventsPerRun}`, met: fleetwave.parentEventsMax < t.maxEventsPerRun && fleetwave.eventsPerCluster.childMax < t.maxEventsPerRun } } : {}),
    ...(t.maxWorkerRssBytes !== undefined ? { workerRss: { target: `<= ${t.maxWorkerRssBytes / 1024 ** 2} MiB`, met: (fleetwave.workerPeakRssBytes ?? Infinity) <= t.maxWorkerRssBytes } } : {}),
    ...(t.maxEventsPerCluster !== undefined
      ? { eventsPerCluster: { target: `<= ${t.maxEventsPerCluster}`, met: fleetwave.eventsPerCluster.child + fleetwave.eventsPerCluster.claim <= t.maxEventsPerCluster } }
      : {}),
  };
}

const rows: string[][] = [];
for (const name of chosen) {
  const base = SCENARIOS.find((s) => s.name === name)!;
  const scenario: Scenario = clustersOverride ? { ...base, name: `${base.name}-n${clustersOverride}`, clusters: clustersOverride } : base;
  const ideal = idealMakespanSeconds(scenario);
  log(`== ${scenario.name}: N=${scenario.clusters} c=${scenario.maxParallel} T=${scenario.upgradeSeconds}s, ideal ${ideal}s`);
  log('  plain script ...');
  const script = await runScript(scenario);
  log(`  plain script: ${script.makespanSeconds.toFixed(1)}s`);
  log('  fleetwave ...');
  const fleetwave = await runFleetwave(scenario, SEED, workflowBundle, log);
  log(`  fleetwave: ${fleetwave.makespanSeconds}s`);
  const result = {
    bench: 'rollout',
    scenario,
    idealMakespanSeconds: ideal,
    script: { ...script, makespanSeconds: Math.round(script.makespanSeconds * 100) / 100 },
    fleetwave,
    ratios: {
      toIdeal: ideal > 0 ? Math.round((fleetwave.makespanSeconds / ideal) * 1000) / 1000 : null,
      toScript: Math.round((fleetwave.makespanSeconds / script.makespanSeconds) * 1000) / 1000,
    },
    targets: verdicts(scenario, ideal, fleetwave),
    machine: { cpus: cpus().length, node: process.version },
    at: new Date().toISOString(),
  };
  const dir = join(import.meta.dirname, 'results');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `bench-${scenario.name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  const mib = fleetwave.workerPeakRssBytes === undefined ? '-' : `${Math.round(fleetwave.workerPeakRssBytes / 1024 ** 2)}`;
  rows.push([
    scenario.name,
    `${ideal}`,
    script.makespanSeconds.toFixed(1),
    `${fleetwave.makespanSeconds}`,
    `${result.ratios.toIdeal ?? '-'}`,
    `${result.ratios.toScript}`,
    `${fleetwave.clustersPerSecond}`,
    `${fleetwave.apiCallsPerCluster}`,
    `${fleetwave.eventsPerCluster.child}+${fleetwave.eventsPerCluster.claim}`,
    `${fleetwave.parentEventsMax} (${fleetwave.parentRuns} runs)`,
    mib,
    Object.entries(result.targets).map(([k, v]) => `${k} ${v.met ? 'met' : 'MISSED'}`).join(', '),
  ]);
}

const headers = ['scenario', 'ideal s', 'script s', 'fleetwave s', 'x ideal', 'x script', 'clusters/s', 'API calls/cluster', 'events/cluster (child+claim)', 'events/parent run max', 'worker peak RSS MiB', 'targets'];
console.log(`| ${headers.join(' | ')} |\n| ${headers.map(() => '---').join(' | ')} |\n${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}`);
