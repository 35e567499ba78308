/**
 * The benchmark scenarios of `npm run bench` (issue: "benchmarks against the physical
 * limit and a plain script"). N clusters on the simulated Aether platform, each upgrade
 * taking T seconds, at most c at once, one wave, no soak: so the ideal makespan is
 * exactly ceil(N / c) x T, the floor no orchestrator can beat.
 */
export interface Scenario {
  readonly name: string;
  readonly clusters: number;
  readonly maxParallel: number;
  /** Seconds one cluster's upgrade takes on the simulator (T). */
  readonly upgradeSeconds: number;
  /** How often fleetwave and the script poll a running upgrade. */
  readonly pollInterval: string;
  /** What the scenario must show; checked and reported, never asserted in a test. */
  readonly targets: {
    readonly maxRatioToIdeal?: number;
    readonly minClustersPerSecond?: number;
    readonly maxEventsPerRun?: number;
    readonly maxWorkerRssBytes?: number;
    /** History events of one cluster's workflows (its child, and a claim where there is one). */
    readonly maxEventsPerCluster?: number;
  };
  /**
   * On the real server (Temporal + PostgreSQL) the targets are not asked for; the same
   * figures are reported, and the makespan is held to the ratio the issue measured there
   * before ("beat today's 2.4x").
   */
  readonly realServer?: { readonly beatRatioToIdeal?: number };
  /**
   * The simulated Aether's limit, requests a minute per token (real time); absent: no
   * limit. The worker's API budget is told the same rate, and the ideal takes the API
   * floor into account (`apiFloorSeconds`).
   */
  readonly rateLimitPerMinute?: number;
}

export const SCENARIOS: readonly Scenario[] = [
  // The targets of issue 12 ("a lean engine"), for the dev server.
  {
    name: 'n1000-c100-t5',
    clusters: 1000,
    maxParallel: 100,
    upgradeSeconds: 5,
    pollInterval: '500ms',
    targets: { maxRatioToIdeal: 1.2, maxEventsPerCluster: 20 },
    realServer: { beatRatioToIdeal: 2.4 },
  },
  {
    name: 'n10000-c500-t0',
    clusters: 10_000,
    maxParallel: 500,
    upgradeSeconds: 0,
    pollInterval: '500ms',
    targets: { minClustersPerSecond: 25, maxEventsPerCluster: 20 },
  },
  {
    name: 'n10000-c1000-t30',
    clusters: 10_000,
    maxParallel: 1000,
    upgradeSeconds: 30,
    pollInterval: '5s',
    targets: {
      maxRatioToIdeal: 1.3,
      maxEventsPerRun: 10_240,
      maxWorkerRssBytes: 600 * 1024 ** 2,
      maxEventsPerCluster: 20,
    },
  },
  // Issue 20, status by the page: Aether's 100 requests a minute, 60 s upgrades polled every
  // 10 s, scaled five times faster so that it runs in a minute (the ratios stay).
  {
    name: 'n300-c100-t12-rl500',
    clusters: 300,
    maxParallel: 100,
    upgradeSeconds: 12,
    pollInterval: '2s',
    rateLimitPerMinute: 500,
    targets: { maxRatioToIdeal: 1.3 },
  },
];

/** Clusters an Aether list page carries (`limit` up to 100). */
const PAGE = 100;

/**
 * The fewest requests the work needs under a rate limit, in seconds of the limit: a PUT
 * per cluster, the inventory's pages once, and for every poll round of every batch the
 * cheaper of listing the organisation's pages and reading the clusters in flight one by one.
 */
export function apiFloorSeconds(s: Omit<Scenario, 'name' | 'targets'>, pollMs: number): number {
  if (!s.rateLimitPerMinute) return 0;
  const pages = Math.ceil(s.clusters / PAGE);
  const rounds = Math.ceil(s.clusters / s.maxParallel) * Math.ceil((s.upgradeSeconds * 1000) / pollMs);
  const requests = s.clusters + pages + rounds * Math.min(pages, s.maxParallel);
  return Math.round(((requests * 60) / s.rateLimitPerMinute) * 10) / 10;
}

/** The larger of ceil(N/c) x T and the API floor: the makespan no orchestrator can beat. */
export const idealMakespanSeconds = (s: Omit<Scenario, 'name' | 'targets'>, pollMs = 0): number =>
  Math.max(Math.ceil(s.clusters / s.maxParallel) * s.upgradeSeconds, pollMs > 0 ? apiFloorSeconds(s, pollMs) : 0);
