/**
 * Avisi's scheduled cluster upgrades: the request rules and a lazy lifecycle. Nothing
 * runs on a timer: an upgrade's status is a function of the simulated clock, computed
 * on every read (and materialised once terminal, which is when the cluster's version
 * changes), so ten thousand clusters cost nothing while idle.
 *
 *   REQUESTED --schedulingDelay--> SCHEDULED --schedulingDelay--> SCHEDULED_NOTIFIED
 *     --windowStart--> IN_PROGRESS --upgradeDuration--> SUCCEEDED | FAILED
 *
 * Forced MISSED never starts (MISSED at windowEnd); forced SUPERSEDED ends at
 * windowStart ("cluster was stopped"). A newer POST supersedes a pending upgrade; a
 * DELETE withdraws it (CANCELLED).
 */
import { minorOf, planStep } from '../domain/versions.js';
import { findByAme } from './catalog.js';
import { drawOutcome, type AvisiOutcome, type OutcomeProbabilities } from './outcomes.js';
import { fail, ok, type ApiProblem, type Result } from './problems.js';
import type { SeededRandom } from './random.js';
import { nextWindow } from '../domain/windows.js';
import type { AvisiCluster, AvisiOrganisation, AvisiTerminalStatus, AvisiUpgrade } from './world.js';

export type AvisiStatus = 'REQUESTED' | 'SCHEDULED' | 'SCHEDULED_NOTIFIED' | 'IN_PROGRESS' | AvisiTerminalStatus;
export const AVISI_STATUSES: readonly AvisiStatus[] = [
  'REQUESTED',
  'SCHEDULED',
  'SCHEDULED_NOTIFIED',
  'IN_PROGRESS',
  'SUCCEEDED',
  'FAILED',
  'MISSED',
  'SUPERSEDED',
  'CANCELLED',
];

export interface AvisiLifecycleConfig {
  readonly upgradeDurationMs: number;
  readonly schedulingDelayMs: number;
  /** Length of the window used with `ignoreMaintenanceSchedule`. */
  readonly defaultWindowMinutes: number;
}

export interface AvisiUpgradeView {
  readonly status: AvisiStatus;
  /** When the upgrade entered this status. */
  readonly since: number;
  readonly reason: string | null;
  /** Whether a window was chosen yet (REQUESTED has none). */
  readonly scheduled: boolean;
}

const TERMINAL = new Set<AvisiStatus>(['SUCCEEDED', 'FAILED', 'MISSED', 'SUPERSEDED', 'CANCELLED']);
export const isTerminal = (status: AvisiStatus): boolean => TERMINAL.has(status);

/** The status an upgrade that nobody interrupted has at `now`. */
function timeline(u: AvisiUpgrade, now: number, config: AvisiLifecycleConfig): Omit<AvisiUpgradeView, 'scheduled'> {
  if (now < u.scheduledAt) return { status: 'REQUESTED', since: u.createdAt, reason: null };
  if (now < u.notifiedAt) return { status: 'SCHEDULED', since: u.scheduledAt, reason: null };
  if (now < u.windowStart) return { status: 'SCHEDULED_NOTIFIED', since: u.notifiedAt, reason: null };
  switch (u.outcome) {
    case 'MISSED':
      return now < u.windowEnd
        ? { status: 'SCHEDULED_NOTIFIED', since: u.notifiedAt, reason: null }
        : { status: 'MISSED', since: u.windowEnd, reason: 'the upgrade did not start within its maintenance window' };
    case 'SUPERSEDED':
      return { status: 'SUPERSEDED', since: u.windowStart, reason: 'cluster was stopped' };
    default: {
      const end = u.windowStart + config.upgradeDurationMs;
      if (now < end) return { status: 'IN_PROGRESS', since: u.windowStart, reason: null };
      return u.outcome === 'FAILED'
        ? {
            status: 'FAILED',
            since: end,
            reason: 'the upgrade did not meet its success criteria in time; the cluster was rolled back',
          }
        : { status: 'SUCCEEDED', since: end, reason: null };
    }
  }
}

export function viewAvisiUpgrade(u: AvisiUpgrade, now: number, config: AvisiLifecycleConfig): AvisiUpgradeView {
  if (u.ended)
    return {
      status: u.ended.status,
      since: u.ended.at,
      reason: u.ended.reason,
      scheduled: u.ended.at >= u.scheduledAt,
    };
  const view = timeline(u, now, config);
  return { ...view, scheduled: view.status !== 'REQUESTED' };
}

/**
 * Brings a cluster up to `now`: a pending upgrade that has ended by now is recorded as ended,
 * and a success changes the version.
 */
export function settleAvisiCluster(cluster: AvisiCluster, now: number, config: AvisiLifecycleConfig): void {
  const last = cluster.upgrades.at(-1);
  if (!last || last.ended) return;
  const view = timeline(last, now, config);
  if (!isTerminal(view.status)) return;
  last.ended = { status: view.status as AvisiTerminalStatus, at: view.since, reason: view.reason };
  if (view.status === 'SUCCEEDED') {
    cluster.version = last.to;
    cluster.modifiedAt = view.since;
  }
}

export interface AvisiUpgradeRequest {
  readonly clusterIdentity: string;
  readonly version: string;
  readonly scheduleRequestDate?: string | null;
  readonly ignoreMaintenanceSchedule?: boolean | null;
}

export interface AvisiRequestContext {
  readonly now: number;
  readonly config: AvisiLifecycleConfig;
  readonly random: SeededRandom;
  readonly probabilities?: OutcomeProbabilities<AvisiOutcome>;
  /** Maps a client's real RFC 3339 instant into the simulated calendar. */
  readonly toSim: (realIso: string) => number;
}

const badRequest = (message: string, notes: string[] = []): ApiProblem => ({
  status: 400,
  code: 'bad_request',
  message,
  notes,
});

/** POST /orgs/{org}/scheduled-cluster-upgrades: validates against the cluster and schedules (or reschedules). */
export function requestAvisiUpgrade(
  org: AvisiOrganisation,
  request: AvisiUpgradeRequest,
  ctx: AvisiRequestContext,
): Result<AvisiUpgrade> {
  const cluster = org.byIdentity.get(request.clusterIdentity.toLowerCase());
  if (!cluster)
    return fail({
      status: 404,
      code: 'not_found',
      message: `cluster ${request.clusterIdentity} not found in organisation ${org.slug}`,
    });
  settleAvisiCluster(cluster, ctx.now, ctx.config);

  const target = findByAme(request.version);
  if (!target) {
    return fail(
      badRequest(`version ${JSON.stringify(request.version)} is not an available cluster version`, [
        'version: must be one of GET /api/v1/cluster-versions',
      ]),
    );
  }
  const pending = cluster.upgrades.at(-1);
  if (pending && !pending.ended && viewAvisiUpgrade(pending, ctx.now, ctx.config).status === 'IN_PROGRESS') {
    return fail(
      badRequest(
        `cluster ${cluster.slug} has an upgrade in progress (${pending.identity}); request a new one once it has finished`,
      ),
    );
  }
  const current = cluster.version;
  if (current.ame === target.ame || current.plain === target.plain) {
    return fail(badRequest(`cluster ${cluster.slug} already runs version ${current.ame}`));
  }
  const step = planStep(current.version, target.version);
  if (step.kind === 'rejected' && minorOf(current.version) !== minorOf(target.version)) {
    return fail(
      badRequest(
        `cannot move cluster ${cluster.slug} from ${current.ame} to ${target.ame}: downgrades are only allowed between patches of the same minor version`,
      ),
    );
  }
  if (step.kind === 'upgrade' && step.hops > 1) {
    return fail(
      badRequest(
        `cannot upgrade cluster ${cluster.slug} from ${current.ame} to ${target.ame}: upgrade one minor version at a time`,
        [
          `version: the next minor after ${minorOf(current.version)} is ${current.version.major}.${current.version.minor + 1}`,
        ],
      ),
    );
  }

  const now = ctx.now;
  const { schedulingDelayMs } = ctx.config;
  const scheduledAt = now + schedulingDelayMs;
  // The scheduler picks the window when it schedules, so never before that moment.
  const fromDate = Math.max(request.scheduleRequestDate ? ctx.toSim(request.scheduleRequestDate) : now, scheduledAt);
  const ignoreSchedule = request.ignoreMaintenanceSchedule === true;
  const window = ignoreSchedule
    ? { start: fromDate, end: fromDate + ctx.config.defaultWindowMinutes * 60_000 }
    : nextWindow(cluster.windows, fromDate);
  if (!window)
    return fail(badRequest(`cluster ${cluster.slug} has no maintenance windows; set ignoreMaintenanceSchedule`));

  const identity = ctx.random.uuid();
  if (pending && !pending.ended)
    pending.ended = { status: 'SUPERSEDED', at: now, reason: `superseded by a newer upgrade request (${identity})` };
  const upgrade: AvisiUpgrade = {
    identity,
    clusterIdentity: cluster.identity,
    organisation: org.slug,
    from: current,
    to: target,
    createdAt: now,
    scheduleRequestDate: request.scheduleRequestDate ?? null,
    ignoreMaintenanceSchedule: ignoreSchedule,
    outcome: drawOutcome(cluster.outcomes, ctx.probabilities, ctx.random),
    scheduledAt,
    notifiedAt: Math.min(scheduledAt + schedulingDelayMs, window.start),
    windowStart: window.start,
    windowEnd: window.end,
  };
  cluster.upgrades.push(upgrade);
  org.upgrades.set(identity, upgrade);
  return ok(upgrade);
}

/**
 * DELETE: withdraws an upgrade that has not started (409 once it has). Repeating it on a
 * CANCELLED upgrade answers the same (idempotent).
 */
export function cancelAvisiUpgrade(
  org: AvisiOrganisation,
  upgrade: AvisiUpgrade,
  now: number,
  config: AvisiLifecycleConfig,
): Result<AvisiUpgrade> {
  const cluster = org.byIdentity.get(upgrade.clusterIdentity);
  if (cluster) settleAvisiCluster(cluster, now, config);
  const view = viewAvisiUpgrade(upgrade, now, config);
  if (view.status === 'CANCELLED') return ok(upgrade);
  if (view.status === 'IN_PROGRESS' || isTerminal(view.status)) {
    return fail({
      status: 409,
      code: 'conflict',
      message: `scheduled upgrade ${upgrade.identity} is ${view.status} and can no longer be withdrawn`,
    });
  }
  upgrade.ended = { status: 'CANCELLED', at: now, reason: 'withdrawn on request' };
  return ok(upgrade);
}
