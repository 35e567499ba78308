/**
 * `fleet demo`: the embedded default. Starts a Temporal dev server (database in
 * .fleetwave/demo/, Web UI on), the simulator with a generated fleet on both
 * platforms (Kubernetes 1.29, 1.30 and 1.31), and a worker; runs one rollout per
 * platform; prints the reports and the UI link. Exits 0 when both rollouts upgraded
 * every cluster.
 *
 * The Avisi rollout patches the fleet, each cluster to the latest patch of its own minor
 * (`latest-patch`), the way operators group clusters: a canary by name inside the first
 * environment, then development, staging and production (`demoAvisiWaves`, built from
 * the environments the generated fleet has, so a small fleet still plans). The Aether
 * rollout takes the fleet to 1.32 by hops (`maxHops: 3`), with the default waves and a
 * pre-upgrade check that blocks one cluster until its workloads stop calling an API 1.32
 * removes (demo-blocked.ts).
 *
 * Both rollouts run a health check on every cluster against the simulator's own
 * `/_sim/health/{id}` (one cluster comes up a few seconds after its upgrade, so the check
 * holds it) and notify channel `demo`, the simulator's receiver, whose deliveries are
 * printed after the reports (demo-extras.ts).
 *
 * Everything runs on task queue `fleet-demo`, so a worker of the user's on the same
 * server (on `fleet-rollouts`) never gets the demo's tasks; `--keep` prints the exports
 * that reach the demo's queue and simulator on purpose. How it stops: demo-stop.ts.
 */
import type { Command } from 'commander';
import { createLogger } from '../../logger.js';
import { installSdkLogging } from '../../sdk-logging.js';
import type { RolloutReport } from '../../domain/report.js';
import { parseRolloutSpec, type RolloutSpec } from '../../domain/spec.js';
import { DEFAULT_TASK_QUEUE } from '../../temporal-config.js';
import { UsageError } from '../errors.js';
import { followRollout, formatReport, progressLine, startRollout } from '../rollouts.js';
import { demoPreChecks, describePreCheck, unblockWhenBlocked } from './demo-blocked.js';
import { DEMO_TASK_QUEUE, startDemo, type Demo } from './demo-start.js';
import { DemoStop, Interrupted } from './demo-stop.js';
import {
  demoDeliveries,
  demoSpecExtras,
  demoTargetOf,
  describeExtras,
  formatDeliveries,
  holdBack,
  type HeldCluster,
  pickHeldCluster,
  watchHeldCluster,
  withDemoGate,
} from './demo-extras.js';

interface DemoFlags {
  clusters: string;
  keep?: boolean;
  uiPort?: string;
}

/**
 * What one demo cluster takes, request to verified (a few simulated days of windows,
 * polled every second): the forecast's assumption.
 */
const DEMO_CLUSTER_DURATION = '8s';
/** Avisi's rollout patches every cluster on its own minor; Aether's moves the fleet to 1.32, by hops. */
const TARGET = 'latest-patch';
const AETHER_TARGET = '1.32';
/** The order environments are upgraded in; any other environment follows, by name. */
const ENVIRONMENT_ORDER = ['development', 'staging', 'production'];

type DemoWave = NonNullable<RolloutSpec['waves']>[number];

/**
 * Environment waves for a fleet: a canary of one cluster by name inside the first
 * environment (the role of a cluster there that will move, `web-*`, so the canary
 * upgrades something), then one wave per environment the fleet has, in
 * ENVIRONMENT_ORDER. Only environments that exist get a wave (planning refuses a wave
 * whose match selects no cluster); clusters without an environment go to a last `rest`.
 */
export function demoAvisiWaves(
  clusters: readonly { readonly name: string; readonly environment?: string | undefined; readonly version: string }[],
  targetVersion: string,
): DemoWave[] {
  const rank = (environment: string) =>
    ENVIRONMENT_ORDER.includes(environment) ? ENVIRONMENT_ORDER.indexOf(environment) : ENVIRONMENT_ORDER.length;
  const environments = [...new Set(clusters.flatMap((c) => (c.environment ? [c.environment] : [])))].sort(
    (a, b) => rank(a) - rank(b) || a.localeCompare(b),
  );
  const waves: DemoWave[] = environments.map((environment) => ({ name: environment, match: { environment } }));
  const inFirst = clusters.filter((c) => c.environment !== undefined && c.environment === environments[0]);
  const canary = inFirst.find((c) => c.version !== demoTargetOf(targetVersion, c.version)) ?? inFirst[0];
  const role = canary && /^(.*)-\d+$/.exec(canary.name)?.[1];
  if (canary)
    waves.unshift({
      name: 'canary',
      match: { environment: environments[0]!, name: role ? `${role}-*` : canary.name },
      size: 1,
    });
  if (clusters.some((c) => !c.environment)) waves.push({ name: 'rest' });
  return waves;
}

const describeWave = (wave: DemoWave) =>
  `${wave.name}${wave.match?.name ? ` (${String(wave.match.name)} in ${String(wave.match.environment)}, ${wave.size ?? 'all'})` : ''}`;

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run a whole rollout on both platforms on this machine: dev server + UI, simulator, worker')
    .option('--clusters <n>', 'clusters per platform', '20')
    .option('--ui-port <n>', 'port of the Temporal Web UI (default: a free port)')
    .option('--keep', 'keep the dev server, UI, simulator and worker running after the rollouts, until Ctrl-C')
    .addHelpText('after', '\nExamples:\n  npm run demo\n  npm run demo -- --clusters 50 --keep')
    .action(demoCommand);
}

async function demoCommand(flags: DemoFlags): Promise<void> {
  const clusters = Number(flags.clusters);
  if (!Number.isInteger(clusters) || clusters < 1 || clusters > 2000) {
    throw new UsageError(`--clusters: a whole number from 1 to 2000, got ${JSON.stringify(flags.clusters)}`);
  }
  const say = (line: string) => console.error(`[demo] ${line}`);
  const logger = createLogger({ level: process.env.FLEET_LOG_LEVEL ?? 'warn' });
  installSdkLogging(logger, 'WARN');
  // From here on a Ctrl-C stops everything started so far, in order (demo-stop.ts).
  const stop = new DemoStop(say);
  try {
    const demo = await startDemo(stop, {
      clusters,
      logger,
      say,
      ...(flags.uiPort ? { uiPort: Number(flags.uiPort) } : {}),
    });
    const ok = await stop.race(runDemoRollouts(demo));
    process.exitCode = ok ? 0 : 1;
    if (flags.keep) {
      console.log(`\n${formatDemoExports(demo)}`);
      say('running until Ctrl-C (the UI, the simulator and the worker stay up)');
      await stop.signalled;
    } else {
      say('done; run `npm run demo -- --keep` to keep the UI open afterwards');
    }
  } catch (error) {
    if (!(error instanceof Interrupted)) throw error;
  } finally {
    // A worker whose server died under it may never finish draining: then exit without it.
    if (await stop.stop()) stop.exit();
  }
}

/** One rollout per platform, followed to the end; prints the reports and the deliveries. True when both succeeded. */
async function runDemoRollouts(demo: Demo): Promise<boolean> {
  const { server, sim, fleet, say } = demo;
  const avisiWaves = withDemoGate(demoAvisiWaves(fleet.avisi?.[0]?.clusters ?? [], TARGET), sim.url);
  say(`Avisi waves by environment: ${avisiWaves.map(describeWave).join(', ')}`);
  const held = pickHeldCluster(fleet, avisiWaves, TARGET);
  for (const line of describeExtras(sim.url, held, avisiWaves.find((w) => w.gate)?.name)) say(line);
  say(describePreCheck(sim.url, demo.blocked));
  if (held) await holdBack(sim.url, held);
  const specs = demoSpecs(demo, avisiWaves);
  const reports: RolloutReport[] = await Promise.all(specs.map((spec) => runDemoRollout(demo, spec, held)));
  console.log('');
  for (const report of reports) console.log(formatReport(report));
  const rolloutIds = reports.map((r) => r.rolloutId);
  const { deliveries, complete } = await demoDeliveries(sim.url, rolloutIds);
  console.log(`\n${formatDeliveries(deliveries, complete)}`);
  console.log(`\nTemporal Web UI: ${server.uiUrl}/namespaces/${server.namespace}/workflows`);
  return reports.every((r) => r.status === 'SUCCEEDED');
}

/** The Avisi rollout by environment waves, the Aether one with the default waves; both with the demo's extras. */
function demoSpecs({ sim }: Demo, avisiWaves: DemoWave[]): RolloutSpec[] {
  const extras = demoSpecExtras(sim.url);
  // Its own expected duration: a cluster here takes seconds (windows days away open in seconds), not the default 30m.
  const common = {
    maxParallel: 5,
    pollInterval: '1s',
    expectedClusterDuration: DEMO_CLUSTER_DURATION,
  };
  return [
    {
      platform: 'avisi',
      organisation: sim.organisations.avisi[0]!,
      targetVersion: TARGET,
      ...common,
      waves: avisiWaves,
      ...extras,
    },
    // A fleet on 1.29 to 1.31: three hops for the oldest; a pre-check before each upgrade.
    {
      platform: 'aether',
      organisation: sim.organisations.aether[0]!,
      targetVersion: AETHER_TARGET,
      maxHops: 3,
      ...common,
      ...extras,
      ...demoPreChecks(sim.url),
    },
  ];
}

/** Starts one rollout and follows it to its report, watching the held cluster when it is on this platform. */
async function runDemoRollout(
  { server, sim, client, say, blocked }: Demo,
  spec: RolloutSpec,
  held: HeldCluster | undefined,
): Promise<RolloutReport> {
  const handle = await startRollout(client, { taskQueue: DEMO_TASK_QUEUE, spec, plan: parseRolloutSpec(spec) });
  const workflowUrl = `${server.uiUrl}/namespaces/${server.namespace}/workflows/${encodeURIComponent(handle.workflowId)}`;
  say(`started ${handle.workflowId}: ${workflowUrl}`);
  const report = followRollout(handle, (p) => say(progressLine(p)));
  const watch =
    held && held.platform === spec.platform
      ? watchHeldCluster({
          client,
          simUrl: sim.url,
          rolloutId: handle.workflowId,
          cluster: held,
          rolloutDone: report,
          say,
        })
      : undefined;
  const unblock =
    blocked && spec.preChecks
      ? unblockWhenBlocked({
          client,
          simUrl: sim.url,
          rolloutId: handle.workflowId,
          cluster: blocked,
          rolloutDone: report,
          say,
        })
      : undefined;
  const [done] = await Promise.all([report, watch, unblock]);
  return done;
}

/** What `--keep` prints: the exports that point a worker and the CLI at the demo's server, queue and simulator. */
function formatDemoExports({ server, sim, env }: Demo): string {
  const vars = {
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: server.namespace,
    FLEET_TASK_QUEUE: DEMO_TASK_QUEUE,
    ...env,
  };
  return [
    `The demo's worker polls task queue ${DEMO_TASK_QUEUE}, not ${DEFAULT_TASK_QUEUE}: a worker of yours on this server never gets its tasks, nor it yours.`,
    `To steer the demo's rollouts from another terminal (the tokens are the simulator's demo values), or to run a second worker beside its own:`,
    ...Object.entries(vars).map(([name, value]) => `export ${name}=${shellQuote(value)}`),
    `npx fleet rollout plan --platform avisi --organisation ${sim.organisations.avisi[0]!} --target latest-patch`,
  ].join('\n');
}

/** `value` as one shell word: as is when it is plain, else single-quoted. */
const shellQuote = (value: string): string =>
  /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
