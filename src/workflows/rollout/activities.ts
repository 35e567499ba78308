/**
 * The rollout's own activities, as the loop calls them: planning, reading a wave's
 * clusters a page at a time, and undoing failed desired versions after a stop. Each
 * asks the `Rollout` what to do and hands it what came back; the state changes there.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { proxyActivities } from '@temporalio/workflow';
import type { Activities, HopVersion } from '../../activities/index.js';
import { INVALID_SPEC, PLANNING_FAILED } from '../../domain/failure-types.js';
import { headerVariablesOf, missingVariableProblems } from '../../domain/health.js';
import { descriptorOf } from '../../domain/platform.js';
import type { ClusterPlanEntry, ClusterResult } from '../../domain/report.js';
import type { RolloutPlan } from '../../domain/spec.js';
import { parseVersion } from '../../domain/versions.js';
import { notifyCheck, platformCall, planning } from '../activity-options.js';
import { requireNotifyChannels } from '../notify/channel.js';
import type { PlanRead, Rollout } from './state.js';
import { hopOn, targetOf, targetOfLine } from './targets.js';
import { MAX_REPORTED_CLUSTERS } from './view/report.js';

const api = proxyActivities<Activities>(platformCall);
const planner = proxyActivities<Activities>(planning);
const checker = proxyActivities<Activities>(notifyCheck);

export async function planRollout(rollout: Rollout, plan: RolloutPlan): Promise<void> {
  // Only awaited when there is something to check: an await of nothing would still move the
  // planning activity's command after an update answered in this first task, and committed
  // histories (a rollout started paused) would no longer replay.
  if ((plan.notify?.length ?? 0) > 0 || headerVariablesOf(plan).length > 0) await requireWorkerSettings(plan);
  const listedIds = plan.waves.flatMap((w) => w.clusters ?? []);
  // Waves that only list clusters select too: the others are unmatched, never a last wave (docs/spec.md `unmatched`).
  // Only the activity's input changes (not a command), so no patch: an old history's result still shapes its waves.
  const selecting = plan.waves.some((w) => w.match !== undefined) || plan.waves.every((w) => w.clusters !== undefined);
  const result = await planner.planRollout
    .executeWithOptions({ summary: `plan ${plan.platform}/${plan.organisation} -> ${plan.targetVersion}` }, [
      {
        platform: plan.platform,
        organisation: plan.organisation,
        targetVersion: plan.targetVersion,
        ...(plan.targetVersions ? { targetVersions: plan.targetVersions } : {}),
        maxHops: plan.maxHops,
        ...(plan.targets.length > 1 ? { targets: plan.targets } : {}),
        ...(listedIds.length > 0 ? { waveClusters: listedIds } : {}),
        ...(plan.patchOnly ? { patchOnly: true } : {}),
        // Clusters named only in waves are read (and checked) too.
        ...(plan.clusters ? { clusters: [...new Set([...plan.clusters, ...listedIds])] } : {}),
        ...(plan.exclude ? { exclude: plan.exclude } : {}),
        ...(selecting
          ? {
              select: {
                unmatched: plan.unmatched,
                waves: plan.waves.map((w) => ({
                  name: w.name,
                  ...(w.match ? { match: w.match } : {}),
                  ...(w.clusters ? { listed: true } : {}),
                  ...(w.size !== undefined ? { size: w.size } : {}),
                })),
              },
            }
          : {}),
      },
    ])
    .catch((error: unknown) => {
      throw planningFailure(error);
    });
  rollout.planned(result);
}

/**
 * What the spec needs of the worker's environment, checked before anything is read or
 * changed: the notification channels it names, the variables its health checks' headers
 * read. Missing ones fail the rollout as an invalid spec, naming the field and the
 * variable (never a value).
 */
async function requireWorkerSettings(plan: RolloutPlan): Promise<void> {
  await requireNotifyChannels(plan.notify);
  const variables = headerVariablesOf(plan);
  if (variables.length === 0) return;
  const { missing } = await checker.checkHealthConfig.executeWithOptions(
    { summary: `check ${variables.join(', ')} on the worker` },
    [{ variables }],
  );
  const problems = missingVariableProblems(plan, missing);
  if (problems.length > 0)
    throw ApplicationFailure.nonRetryable(
      `invalid rollout spec: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
      INVALID_SPEC,
      ...problems,
    );
}

/**
 * Reads until wave `index` has a cluster to start or nothing is left: its listed
 * clusters first (by id), then its share of the inventory stream, a page at a time.
 * `anyPath` (dry runs) reads against the target: every cluster that moves at all.
 */
export async function refill(
  rollout: Rollout,
  plan: RolloutPlan,
  index: number,
  options: { anyPath?: boolean } = {},
): Promise<void> {
  const wave = rollout.waves[index]!;
  // Each target reads its own spelling of the hop.
  const hopOf = (t: number | undefined) => {
    const hop = hopOn(options.anyPath ? rollout.hops.at(-1)! : rollout.hop, t);
    // A per-minor pass reads each cluster against its own minor's target.
    const minors = hop.minors ? { minors: hop.minors } : {};
    return options.anyPath
      ? { version: hop.version, last: true, anyPath: true, ...minors }
      : { version: hop.version, last: rollout.lastHop, ...minors };
  };
  const predict = plan.dryRun
    ? {
        predictWindows: {
          ignoreMaintenanceSchedule: plan.ignoreMaintenanceSchedule,
          ...(plan.scheduleRequestDate ? { scheduleRequestDate: plan.scheduleRequestDate } : {}),
        },
      }
    : {};
  const exclude = plan.waves.flatMap((w) => w.clusters ?? []);
  const excludeMatching = plan.exclude ? { excludeMatching: plan.exclude } : {};
  for (let read = rollout.nextRead(index); read; read = rollout.nextRead(index)) {
    const target = 'target' in read ? read.target : 0;
    const page = await planner.readPlanPage.executeWithOptions(
      { summary: `read clusters for wave ${wave.plan.name}` },
      [
        {
          ...targetOf(plan, { target }),
          hop: hopOf(target),
          ...predict,
          ...(plan.patchOnly ? { patchOnly: true } : {}),
          ...excludeMatching,
          ...pageInput(rollout, index, read, exclude),
        },
      ],
    );
    rollout.received(index, read, page);
  }
}

/** What to read: ids, or an inventory page (less the clusters waves list); a wave that selects says what it takes. */
function pageInput(rollout: Rollout, index: number, read: PlanRead, listed: readonly string[]) {
  const from =
    read.kind === 'inventory' || (read.kind === 'select' && !read.ids)
      ? { ...(read.cursor ? { cursor: read.cursor } : {}), exclude: listed }
      : { ids: read.ids! };
  if (read.kind !== 'select') return from;
  const waves = rollout.waves.map((w) => ({
    ...(w.plan.match ? { match: w.plan.match } : {}),
    ...(w.plan.listed ? { listed: true } : {}),
    ...(w.cutoff !== undefined ? { cutoff: w.cutoff } : {}),
  }));
  return { ...from, select: { waves, wave: index, take: read.take, position: read.position } };
}

/** A dry run reads every cluster, wave by wave, and lists what it would do (the first MAX_REPORTED_CLUSTERS). */
export async function listDryRun(rollout: Rollout, plan: RolloutPlan): Promise<void> {
  const hops = rollout.hops;
  const line = (entry: ClusterPlanEntry, wave: string): ClusterResult => {
    const minor = parseVersion(entry.version)?.minor ?? 0;
    // A per-minor pass: the cluster's own minor's target.
    const path = entry.to
      ? [entry.to.version]
      : hops
          .filter((h, i) => i === hops.length - 1 || minor < (parseVersion(h.version)?.minor ?? 0))
          .map((h) => h.version);
    const window = entry.predictedWindow;
    const when =
      window === undefined
        ? ''
        : window === null
          ? '; no maintenance window (set ignoreMaintenanceSchedule)'
          : `; first window ${window.start}${window.end ? ` to ${window.end}` : ''}`;
    return {
      clusterId: entry.id,
      name: entry.name,
      outcome: 'SKIPPED',
      fromVersion: entry.version,
      ...(entry.to ? { toVersion: entry.to.version } : {}),
      requests: 0,
      retries: 0,
      reschedules: 0,
      wave,
      message: `would upgrade via ${path.join(' -> ')}${when}`,
    };
  };
  for (const [index, wave] of rollout.waves.entries()) {
    for (;;) {
      await refill(rollout, plan, index, { anyPath: true });
      if (wave.queue.length === 0) break;
      rollout.listed(index, line, MAX_REPORTED_CLUSTERS);
    }
    rollout.queues.waveDone(index);
  }
}

/**
 * Where a failed upgrade stays the desired state (Aether's `k8s_version`; the platform's
 * descriptor says, and shapes the upgrade to undo: `undo.restoreFailed`), a stopped rollout
 * puts that desire back to the version the cluster still runs (the saga's undo for clusters that ended FAILED or
 * MISSED before the stop);
 * a cluster that has moved meanwhile is left alone. Elsewhere (Avisi) a failed upgrade is over.
 */
export async function undoFailedDesiredVersions(rollout: Rollout, plan: RolloutPlan): Promise<void> {
  for (const line of rollout.tally.notSucceeded.values()) {
    if ((line.outcome !== 'FAILED' && line.outcome !== 'MISSED') || line.compensation || line.requests === 0) continue;
    const { target, index } = targetOfLine(plan, line);
    const restore = descriptorOf(target.platform).undo.restoreFailed;
    if (!restore) continue;
    const hop = rollout.hops.find((h) => h.version === line.hop) ?? rollout.hops.at(-1)!;
    const perMinor = minorTargetOf(hopOn(hop, index), line.fromVersion);
    const toVersion =
      perMinor ?? (plan.targets.length > 1 ? hopOn(hop, index).requestVersion : (line.hop ?? hop.requestVersion));
    const compensation = await api.compensateUpgrade
      .executeWithOptions({ summary: `${restore.summary} of ${line.name}` }, [
        {
          ...target,
          clusterId: line.clusterId,
          previousVersion: line.fromVersion,
          upgrade: restore.failedUpgrade(line.clusterId, toVersion),
        },
      ])
      .then(
        (after) => (after.status === 'CANCELLED' ? restore.restoredNote : `left as is (${after.rawStatus})`),
        (error: unknown) => `restore failed: ${messageOf(error)}`,
      );
    rollout.lines.compensated(line.clusterId, compensation);
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
}

/**
 * A planning activity that gave up fails the rollout with the activity's own reason
 * on top (`InvalidRollout: ... downgrade ...`), not wrapped in an ActivityFailure, so
 * whoever started it reads the reason first. Nothing was changed yet.
 */
function planningFailure(error: unknown): unknown {
  if (!(error instanceof ActivityFailure)) return error;
  const cause = error.cause;
  if (cause instanceof ApplicationFailure)
    return ApplicationFailure.nonRetryable(cause.message, cause.type ?? PLANNING_FAILED);
  return ApplicationFailure.nonRetryable(`planning failed: ${cause?.message ?? error.message}`, PLANNING_FAILED);
}

/** In a per-minor pass, the target of a cluster that ran `fromVersion`, as requests spell it. */
function minorTargetOf(hop: HopVersion, fromVersion: string): string | undefined {
  const from = parseVersion(fromVersion);
  return from && hop.minors?.[`${from.major}.${from.minor}`]?.requestVersion;
}
