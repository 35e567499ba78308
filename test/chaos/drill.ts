/**
 * What both chaos drills share: the fleet (both platforms, short upgrades), one rollout
 * per platform, and the proof afterwards, read from the simulator rather than from
 * fleetwave's own report: every cluster at the target, and exactly one upgrade request
 * per cluster in the simulator's log (nothing lost, nothing asked twice). The facts are
 * also attached to the test (`task.meta.chaos`) for `npm run chaos` to print.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { expect } from 'vitest';
import type { PlatformName } from '../../src/domain/platform.js';
import type { RolloutReport } from '../../src/domain/report.js';
import type { SimulatorOptions } from '../../src/simulator/index.js';
import type { fleetRollout } from '../../src/workflows/rollout/workflow.js';
import type { Harness, SimCluster, SimRequest } from '../integration/harness.js';
import { progressQuery } from '../../src/workflows/messages.js';
import type { WorkerPool } from '../support/worker-pool.js';
import { lostWork, type LostWork } from './lost-work.js';
import { UPGRADE_SECONDS, type DrillSize } from './drill-size.js';

export const PLATFORMS: readonly PlatformName[] = ['aether', 'avisi'];

/** The one request that asks a platform for an upgrade: Aether's PUT of `k8s_version`, Avisi's POST of a scheduled upgrade. */
const UPGRADE_METHOD: Record<PlatformName, string> = { aether: 'PUT', avisi: 'POST' };

/** `size.clusters` clusters per platform on 1.30; a simulated minute per real second, so an upgrade takes `UPGRADE_SECONDS`. */
export function chaosFleet(size: DrillSize): SimulatorOptions {
  return {
    generate: {
      seed: size.seed,
      avisi: { clusters: size.clusters },
      aether: { clusters: size.clusters },
      minors: ['1.30'],
    },
    seed: size.seed,
    timeScale: 60,
    aether: { upgradeDurationMs: UPGRADE_SECONDS * 60_000 },
    // Avisi: scheduled a simulated minute after the request, then run at once (the
    // rollout ignores maintenance windows) in a day-long window no stall outlasts.
    avisi: { schedulingDelayMs: 60_000, upgradeDurationMs: UPGRADE_SECONDS * 60_000, defaultWindowMinutes: 24 * 60 },
    rateLimitPerMinute: { avisi: 0, aether: 0 },
  };
}

export type RolloutHandle = WorkflowHandle<typeof fleetRollout>;

/** Starts one rollout to 1.31 per platform, every cluster in one wave. */
export async function startRollouts(h: Harness, size: DrillSize): Promise<Map<PlatformName, RolloutHandle>> {
  const handles = new Map<PlatformName, RolloutHandle>();
  for (const platform of PLATFORMS) {
    const handle = await h.startRollout({
      platform,
      organisation: h.sim.organisations[platform][0]!,
      targetVersion: '1.31',
      maxParallel: size.maxParallel,
      pollInterval: '500ms',
      // Real time: far beyond any stall the chaos causes, so a slow cluster is never MISSED.
      clusterDeadline: '1h',
      ignoreMaintenanceSchedule: true,
      waves: [{ name: 'all' }],
    });
    handles.set(platform, handle);
  }
  return handles;
}

/** Whether any of the rollouts still runs: a kill or an outage now lands mid-rollout. */
export async function anyRunning(handles: ReadonlyMap<PlatformName, RolloutHandle>): Promise<boolean> {
  const statuses = await Promise.all(
    [...handles.values()].map(async (handle) => (await handle.describe()).status.name),
  );
  return statuses.includes('RUNNING');
}

/** One rollout after the drill, as the simulator and the report tell it. */
export interface RolloutFacts {
  readonly platform: PlatformName;
  readonly status: RolloutReport['status'];
  readonly succeeded: number;
  readonly clusters: number;
  /** Clusters the simulator does not show at one and the same 1.31 patch. */
  readonly notAtTarget: readonly string[];
  /** Clusters with no upgrade request in the simulator's log: lost. */
  readonly neverAsked: readonly string[];
  /** Clusters asked more than once (any mutating request past the first, whatever its answer): the duplicates this drill hunts. */
  readonly askedTwice: readonly string[];
  /** Mutating requests that are not the platform's accepted upgrade request (a refused one, a withdrawal, a restore). */
  readonly otherRequests: readonly SimRequest[];
}

export async function rolloutFacts(h: Harness, platform: PlatformName, report: RolloutReport): Promise<RolloutFacts> {
  const { clusters } = await h.inspect<{ clusters: SimCluster[] }>(`/_sim/clusters?platform=${platform}`);
  const { requests } = await h.inspect<{ requests: SimRequest[] }>(`/_sim/requests?platform=${platform}`);
  const target = clusters.map((c) => c.version).find((v) => /^1\.31\.\d+$/.test(v));
  const perCluster = new Map<string, number>();
  for (const r of requests) if (r.clusterId) perCluster.set(r.clusterId, (perCluster.get(r.clusterId) ?? 0) + 1);
  return {
    platform,
    status: report.status,
    succeeded: report.counts.SUCCEEDED,
    clusters: clusters.length,
    notAtTarget: clusters.filter((c) => target === undefined || c.version !== target).map((c) => c.id),
    neverAsked: clusters.filter((c) => !perCluster.has(c.id.toLowerCase())).map((c) => c.id),
    askedTwice: [...perCluster].filter(([, n]) => n > 1).map(([id]) => id),
    otherRequests: requests.filter((r) => r.method !== UPGRADE_METHOD[platform] || r.status >= 300 || !r.clusterId),
  };
}

/** What `npm run chaos` prints per drill. */
export interface ChaosSummary {
  readonly drill: 'worker-kills' | 'server-restart' | 'real-server-restart';
  readonly clustersPerRollout: number;
  readonly maxParallel: number;
  readonly wallSeconds: number;
  readonly workerKills?: {
    readonly total: number;
    readonly midRollout: number;
    readonly ofWorkingWorkers: number;
    readonly workersStarted: number;
  };
  readonly serverRestarts?: {
    readonly total: number;
    readonly midRollout: number;
    readonly outageSeconds: number;
    readonly signals: readonly string[];
    readonly workersExited: number;
  };
  /** Work the chaos cost, as the histories show it (lost-work.ts). */
  readonly lostWork: LostWork;
  readonly rollouts: readonly {
    readonly platform: PlatformName;
    readonly status: string;
    readonly succeeded: number;
    readonly notAtTarget: number;
    readonly neverAsked: number;
  }[];
  /** Clusters asked for an upgrade more than once, over every rollout: the number that must be 0. */
  readonly duplicates: number;
}

export function summarise(facts: readonly RolloutFacts[]): Pick<ChaosSummary, 'rollouts' | 'duplicates'> {
  return {
    rollouts: facts.map((f) => ({
      platform: f.platform,
      status: f.status,
      succeeded: f.succeeded,
      notAtTarget: f.notAtTarget.length,
      neverAsked: f.neverAsked.length,
    })),
    duplicates: facts.reduce((sum, f) => sum + f.askedTwice.length, 0),
  };
}

/** The drill's claim for one rollout: it succeeded, every cluster is at the target, each was asked exactly once. */
export function expectEveryClusterUpgradedOnce(facts: RolloutFacts, clusters: number): void {
  const label = `${facts.platform} rollout`;
  expect(facts.status, label).toBe('SUCCEEDED');
  expect(facts.succeeded, label).toBe(clusters);
  expect(facts.clusters, label).toBe(clusters);
  expect(facts.notAtTarget, `${label}: clusters not at the 1.31 target`).toEqual([]);
  expect(facts.neverAsked, `${label}: clusters never asked for an upgrade`).toEqual([]);
  expect(facts.askedTwice, `${label}: clusters asked twice`).toEqual([]);
  expect(facts.otherRequests, `${label}: requests other than one accepted upgrade request per cluster`).toEqual([]);
}

declare module '@vitest/runner' {
  interface TaskMeta {
    chaos?: ChaosSummary;
  }
}

/** Clusters upgraded so far over every rollout, as their progress queries say. */
export async function upgradedSoFar(handles: ReadonlyMap<PlatformName, RolloutHandle>): Promise<number> {
  const progress = await Promise.all([...handles.values()].map((handle) => handle.query(progressQuery)));
  return progress.reduce((sum, p) => sum + p.counts.SUCCEEDED, 0);
}

/** What a server drill did: its faults, in order, and how many landed mid-rollout. */
export interface ServerFaults {
  readonly drill: 'server-restart' | 'real-server-restart';
  readonly size: DrillSize;
  /** `performance.now()` when the rollouts started. */
  readonly started: number;
  readonly faults: readonly string[];
  readonly midRollout: number;
}

/**
 * The end of a server drill: waits for both rollouts, reads the facts from the simulator
 * and the work the outages cost from the histories, counts the worker processes that
 * exited (none should: they reconnect by themselves), and returns the summary that
 * `npm run chaos` prints.
 */
export async function endServerDrill(
  h: Harness,
  handles: ReadonlyMap<PlatformName, RolloutHandle>,
  workers: WorkerPool,
  run: ServerFaults,
): Promise<{ facts: RolloutFacts[]; workersExited: number; summary: ChaosSummary }> {
  const reports = await Promise.all(PLATFORMS.map((platform) => handles.get(platform)!.result()));
  const wallSeconds = Math.round(performance.now() - run.started) / 1000;
  const facts = await Promise.all(PLATFORMS.map((platform, i) => rolloutFacts(h, platform, reports[i]!)));
  const lost = await lostWork(
    h.client,
    [...handles.values()].map((handle) => handle.workflowId),
  );
  const workersExited = workers.live.filter((w) => w.child.exitCode !== null || w.child.signalCode !== null).length;
  const summary: ChaosSummary = {
    drill: run.drill,
    clustersPerRollout: run.size.clusters,
    maxParallel: run.size.maxParallel,
    wallSeconds,
    serverRestarts: {
      total: run.faults.length,
      midRollout: run.midRollout,
      outageSeconds: run.size.outageSeconds,
      signals: run.faults,
      workersExited,
    },
    lostWork: lost,
    ...summarise(facts),
  };
  return { facts, workersExited, summary };
}
