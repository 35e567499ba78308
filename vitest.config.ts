/**
 * Three projects:
 * - `unit`: pure domain logic, the simulator, the platform clients and activities
 *   against the simulator on loopback, and replays of committed histories. No Temporal server.
 * - `integration`: workflows on a real Temporal dev server, started once per run in
 *   globalSetup (test/integration/global-setup.ts); each test uses its own task queue.
 * - `chaos`: drills that SIGKILL worker processes and restart a Temporal server during
 *   rollouts (test/chaos/), small in CI; `npm run chaos` runs them at 200 clusters.
 *   They run after the other two (`groupOrder`): they load the machine, and their
 *   timings should not be the other tests' problem, nor the other way round.
 * The `forks` pool is required: the SDK's native module crashes under `threads`.
 */
import { configDefaults, defineConfig } from 'vitest/config';

/** Test files (`test/integration/<name>.test.ts`) left out of this run, by `FLEET_TEST_EXCLUDE` (comma-separated). */
function excluded(): string[] {
  const names = (process.env.FLEET_TEST_EXCLUDE ?? '').split(',').filter(Boolean);
  return [...configDefaults.exclude, ...names.map((name) => `test/integration/${name}.test.ts`)];
}

export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'test/unit/**/*.test.ts',
            'test/simulator/**/*.test.ts',
            'test/platforms/**/*.test.ts',
            'test/activities/**/*.test.ts',
          ],
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // `FLEET_TEST_EXCLUDE=status-pages`: .ci/run runs that file beside the rest (it waits on a rate limit).
          exclude: excluded(),
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'chaos',
          include: ['test/chaos/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          // Each drill sets its own time limit from its size (drill-size.ts).
          testTimeout: 600_000,
          hookTimeout: 180_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
