/**
 * Two projects:
 * - `unit`: pure domain logic, the simulator, the platform clients and activities
 *   against the simulator on loopback, and replays of committed histories. No Temporal server.
 * - `integration`: workflows on a real Temporal dev server, started once per run in
 *   globalSetup (test/integration/global-setup.ts); each test uses its own task queue.
 * The `forks` pool is required: the SDK's native module crashes under `threads`.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/simulator/**/*.test.ts', 'test/platforms/**/*.test.ts', 'test/activities/**/*.test.ts'], testTimeout: 20_000 },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
