/**
 * `npm run chaos`: the chaos drills of test/chaos/ at a size CI cannot afford (200
 * clusters per rollout by default, one Aether and one Avisi rollout per drill, three
 * server restarts). It
 * runs the `chaos` vitest project itself, through vitest's Node API, so the scenarios
 * and their assertions are the very ones CI runs; only the sizes (drill-size.ts) grow.
 * Prints a JSON summary (kills, restarts, wall time, duplicates found) and writes it to
 * bench/results/chaos-<clusters>.json. Exits 1 when a drill failed.
 *
 *   npm run chaos
 *   npm run chaos -- --clusters 500 --kill-every 2 --restarts 3
 *   npm run chaos -- --drill server-restart --out /tmp/chaos.json
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { startVitest } from 'vitest/node';
import { drillSize } from '../test/chaos/drill-size.js';

const DRILLS = ['worker-kills', 'server-restart', 'real-server-restart'] as const;

/** Each flag sets the drills' environment variable of the same meaning (test/chaos/drill-size.ts), which checks it. */
const FLAGS = {
  clusters: 'FLEET_CHAOS_CLUSTERS',
  'max-parallel': 'FLEET_CHAOS_MAX_PARALLEL',
  'kill-every': 'FLEET_CHAOS_KILL_EVERY_SECONDS',
  'min-kills': 'FLEET_CHAOS_MIN_KILLS',
  restarts: 'FLEET_CHAOS_RESTARTS',
  outage: 'FLEET_CHAOS_OUTAGE_SECONDS',
  seed: 'FLEET_CHAOS_SEED',
} as const;

const { values } = parseArgs({
  options: {
    ...Object.fromEntries(Object.keys(FLAGS).map((flag) => [flag, { type: 'string' as const }])),
    drill: { type: 'string', multiple: true },
    out: { type: 'string' },
  },
});
const args = values as Record<string, string | undefined> & { drill?: string[] };
const drills = args.drill ?? [...DRILLS];
const unknown = drills.filter((d) => !(DRILLS as readonly string[]).includes(d));
if (unknown.length > 0) {
  console.error(`--drill: unknown ${unknown.join(', ')}; choose from ${DRILLS.join(', ')}`);
  process.exit(2);
}
// Bigger than CI's defaults: 200 clusters per rollout, three server restarts.
process.env.FLEET_CHAOS_CLUSTERS = args.clusters ?? '200';
process.env.FLEET_CHAOS_RESTARTS = args.restarts ?? '3';
for (const [flag, variable] of Object.entries(FLAGS)) if (args[flag] !== undefined) process.env[variable] = args[flag];
let size: ReturnType<typeof drillSize>;
try {
  size = drillSize();
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}

const started = performance.now();
const vitest = await startVitest(
  'test',
  drills.map((d) => `test/chaos/${d}.test.ts`),
  { project: ['chaos'], watch: false },
);
const results = vitest.state.getTestModules().flatMap((module) =>
  [...module.children.allTests()].map((test) => ({
    test: test.fullName,
    state: test.result().state,
    ...(test.result().errors?.length ? { errors: test.result().errors!.map((e) => e.message.split('\n')[0]) } : {}),
    ...test.meta().chaos,
  })),
);
await vitest.close();

const summary = {
  bench: 'chaos',
  at: new Date().toISOString(),
  size,
  wallSeconds: Math.round(performance.now() - started) / 1000,
  drills: results,
  duplicates: results.reduce((sum, r) => sum + (r.duplicates ?? 0), 0),
  passed: results.length === drills.length && results.every((r) => r.state === 'passed'),
  machine: { cpus: cpus().length, node: process.version },
};
const out = args.out ?? `bench/results/chaos-${size.clusters}.json`;
await mkdir(dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify(summary, null, 2)}\n`);
console.log(JSON.stringify(summary, null, 2));
console.error(`written to ${out}`);
process.exit(summary.passed ? 0 : 1);
