/**
 * The integration and chaos files share one Temporal namespace, and a cluster's child
 * workflow id is its lock there (`fleet-cluster/<platform>/<clusterId>`). The simulator
 * draws cluster ids from its seed, so two files that generate fleets from one seed
 * have the same clusters, and when they run at once one rollout finds its clusters held
 * by the other's and reports them SUPERSEDED (it did, in CI). Each seed belongs to one file.
 * Read are the seeds written as numbers; the chaos drills' seed comes from drill-size.ts
 * (one for all), which is safe only because each drill but worker-kills runs its own server.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIRS = ['test/integration', 'test/chaos'];

function seedsByFile(): Map<number, string[]> {
  const files = new Map<number, string[]>();
  for (const dir of DIRS) {
    for (const name of readdirSync(join(ROOT, dir)).filter((n) => n.endsWith('.ts'))) {
      const file = `${dir}/${name}`;
      const text = readFileSync(join(ROOT, file), 'utf8');
      // `generate: { seed: N` and the harness's `slowAetherFleet(N, ...)`.
      const seeds = new Set(
        [...text.matchAll(/(?:generate: \{ seed: |slowAetherFleet\()([\d_]+)/g)].map((m) =>
          Number(m[1]!.replaceAll('_', '')),
        ),
      );
      for (const seed of seeds) files.set(seed, [...(files.get(seed) ?? []), file]);
    }
  }
  return files;
}

describe("the simulators' seeds in tests that share a namespace", () => {
  it('are read from the files (the check is not vacuous)', () => {
    expect(seedsByFile().size).toBeGreaterThan(20);
  });

  it('belong to one file each', () => {
    const shared = [...seedsByFile()]
      .filter(([, files]) => files.length > 1)
      .map(([seed, files]) => `seed ${seed}: ${files.join(', ')}`);
    expect(shared).toEqual([]);
  });
});
