/**
 * How big and how rough a chaos drill is, from the environment: small defaults for CI,
 * and `npm run chaos` (bench/chaos.ts) sets bigger ones. A bad value fails the test
 * file at once, naming the variable.
 */

export interface DrillSize {
  /** `FLEET_CHAOS_CLUSTERS`: clusters per rollout; each drill runs one rollout per platform at once. */
  readonly clusters: number;
  /** `FLEET_CHAOS_MAX_PARALLEL`: the rollouts' `maxParallel`. */
  readonly maxParallel: number;
  /** `FLEET_CHAOS_KILL_EVERY_SECONDS`: the pause between one worker kill (and its replacement's start) and the next. */
  readonly killEverySeconds: number;
  /** `FLEET_CHAOS_MIN_KILLS`: kills the worker drill must have made while the rollouts ran, or it failed to test anything. */
  readonly minKills: number;
  /** `FLEET_CHAOS_RESTARTS`: how often the server drill stops and restarts the dev server. */
  readonly restarts: number;
  /** `FLEET_CHAOS_OUTAGE_SECONDS`: how long the dev server stays down each time. */
  readonly outageSeconds: number;
  /** `FLEET_CHAOS_SEED`: the simulator's fleet and which worker is killed. */
  readonly seed: number;
}

/** Simulated upgrades take this many real seconds: short, so a drill is quick, long enough that kills land mid-upgrade. */
export const UPGRADE_SECONDS = 3;

export function drillSize(env: NodeJS.ProcessEnv = process.env): DrillSize {
  const clusters = whole(env, 'FLEET_CHAOS_CLUSTERS', 10, 1);
  return {
    clusters,
    maxParallel: whole(env, 'FLEET_CHAOS_MAX_PARALLEL', Math.max(4, Math.ceil(clusters / 10)), 1),
    killEverySeconds: positive(env, 'FLEET_CHAOS_KILL_EVERY_SECONDS', 3),
    minKills: whole(env, 'FLEET_CHAOS_MIN_KILLS', 4, 1),
    restarts: whole(env, 'FLEET_CHAOS_RESTARTS', 1, 1),
    outageSeconds: positive(env, 'FLEET_CHAOS_OUTAGE_SECONDS', 3),
    seed: whole(env, 'FLEET_CHAOS_SEED', 20_261_123, 0),
  };
}

/**
 * A test's time limit for `size`: rollouts slowed by chaos, plus the minute an
 * activity lost with a killed worker waits for its start-to-close timeout.
 */
export function drillTimeoutMs(size: DrillSize): number {
  const rounds = Math.ceil(size.clusters / size.maxParallel);
  return 240_000 + rounds * (UPGRADE_SECONDS + 3) * 2_000 + size.restarts * (size.outageSeconds + 30) * 1_000;
}

function whole(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`${name}: a whole number of at least ${min}, got ${JSON.stringify(raw)}`);
  return value;
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name}: a number of seconds above 0, got ${JSON.stringify(raw)}`);
  return value;
}
