/**
 * The notification events as the rollout builds them (`notifyEvents.approvalNeeded(...)`),
 * one builder per type of the contract (notify-events.ts): each words the event's line,
 * picks its subject (what makes its id) and clips what comes from outside (reasons) so
 * one event stays small. Pure: workflow code calls these.
 */
import { skippedText, type SkippedBreakdown } from './skipped.js';
import { CLUSTER_OUTCOMES, type ClusterOutcome, type OutcomeCounts, type RolloutStatus } from './report.js';
import {
  notifyEventId,
  type ApprovalNeededEvent,
  type ClusterBlockedEvent,
  type ClusterFailedEvent,
  type EventBase,
  type EventSource,
  type GateFailedEvent,
  type NotifyEventType,
  type OperatorEvent,
  type OperatorEventType,
  type RolloutAbortedEvent,
  type RolloutFinishedEvent,
  type RolloutHaltedEvent,
  type RolloutPausedEvent,
  type RolloutStartedEvent,
  type TargetRef,
  type WaveDoneEvent,
} from './notify-events.js';
import { approveCommands, OPERATOR_VERBS } from './notify-operator-texts.js';

export { approveCommands, shellWord } from './notify-operator-texts.js';

/** Reasons come from platforms and operators: one event stays one readable line. */
const MAX_REASON = 300;
/** A failed gate's reason carries what the endpoint named (up to 300 characters of it). */
const MAX_GATE_REASON = 600;
const clip = (text: string, max = MAX_REASON): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

type Subject = readonly (string | number | undefined)[];

const base = <T extends NotifyEventType>(
  source: EventSource,
  type: T,
  subject: Subject,
  text: string,
  at?: string,
): EventBase<T> => ({
  id: notifyEventId(source, type, subject),
  type,
  rolloutId: source.rolloutId,
  // Workflow time in workflow code: deterministic on replay.
  at: at ?? new Date().toISOString(),
  text: clip(text, 500),
});

/** What a cluster's event says of it (`outcome`: a failure's); `occurrence` tells a repeat after a retry apart. */
type ClusterFields = Omit<ClusterFailedEvent, keyof EventBase<'cluster.failed'> | 'outcome'> & ClusterExtra;
type ClusterExtra = { outcome?: ClusterOutcome; occurrence?: number };
type ClusterEventType = 'cluster.failed' | 'cluster.blocked';

/** A cluster's event: `cluster.failed` (its outcome) or `cluster.blocked` (by a pre-upgrade check). */
const aboutCluster = <T extends ClusterEventType>(source: EventSource, type: T, f: ClusterFields, at?: string) => ({
  ...base(
    source,
    type,
    [f.clusterId, f.hop, f.occurrence ?? 0],
    `Rollout ${source.rolloutId}: cluster ${f.name} ${f.outcome ?? 'BLOCKED by a pre-upgrade check'}${inWave(f.wave)}${inHop(f.hop)}${f.reason ? `: ${clip(f.reason)}` : ''}`,
    at,
  ),
  clusterId: f.clusterId,
  name: f.name,
  ...(f.wave ? { wave: f.wave } : {}),
  ...(f.hop ? { hop: f.hop } : {}),
  ...(f.platform ? { platform: f.platform } : {}),
  ...(f.organisation ? { organisation: f.organisation } : {}),
  ...(f.reason ? { reason: clip(f.reason) } : {}),
});

/** "3 succeeded, 1 failed of 4": the outcomes that happened, in the report's order. */
export function countsLine(counts: OutcomeCounts, total: number): string {
  const parts = CLUSTER_OUTCOMES.filter((outcome) => counts[outcome] > 0).map(
    (o) => `${counts[o]} ${o.toLowerCase().replace('_', ' ')}`,
  );
  return `${parts.length > 0 ? parts.join(', ') : 'nothing ended'} of ${total}`;
}

/** A recheck's number in an event's subject; none for the first run, whose ids stay as they were. */
const rechecked = (recheck: number | undefined): number[] => (recheck ? [recheck] : []);
const inHop = (hop: string | undefined) => (hop ? ` (hop ${hop})` : '');
const inWave = (wave: string | undefined) => (wave ? ` in wave ${wave}` : '');
const targetsText = (targets: readonly TargetRef[]) =>
  targets.map((t) => `${t.platform}/${t.organisation}`).join(' + ');

/** Builders, one per type: what the rollout calls. `at` defaults to now (workflow time). */
/** ` (1.29 → 1.29.14 ×3, 1.30 → 1.30.10 ×5)`: a per-minor rollout's groups that move, at most six. */
function minorsText(minors: RolloutStartedEvent['minors']): string {
  const moving = (minors ?? []).filter((g) => g.clusters > 0);
  if (moving.length === 0) return '';
  const shown = moving.slice(0, 6).map((g) => `${g.minor} → ${g.to} ×${g.clusters}`);
  return ` (${shown.join(', ')}${moving.length > shown.length ? ', …' : ''})`;
}

export const notifyEvents = {
  rolloutStarted: (
    source: EventSource,
    f: {
      targetVersion: string;
      targets: readonly TargetRef[];
      waves: readonly string[];
      dryRun: boolean;
      minors?: RolloutStartedEvent['minors'];
    },
    at?: string,
  ): RolloutStartedEvent => ({
    ...base(
      source,
      'rollout.started',
      [],
      `Rollout ${source.rolloutId} started: ${targetsText(f.targets)} to ${f.targetVersion}${minorsText(f.minors)}${f.dryRun ? ' (dry run)' : ''}, waves ${f.waves.join(', ')}`,
      at,
    ),
    targetVersion: f.targetVersion,
    targets: f.targets.map((t) => ({ platform: t.platform, organisation: t.organisation })),
    waves: [...f.waves],
    dryRun: f.dryRun,
    ...(f.minors?.length ? { minors: f.minors.map(({ minor, to, clusters }) => ({ minor, to, clusters })) } : {}),
  }),

  approvalNeeded: (
    source: EventSource,
    f: { wave: string; hop?: string; timeoutAt?: string; onTimeout?: 'abort' | 'proceed' },
    at?: string,
  ): ApprovalNeededEvent => {
    const commands = approveCommands(source, f.wave);
    const deadline = f.timeoutAt ? `; ${f.onTimeout ?? 'abort'} at ${f.timeoutAt} without one` : '';
    const text = `Rollout ${source.rolloutId} waits for approval of wave ${f.wave}${inHop(f.hop)}: ${commands.fleet}${deadline}`;
    return {
      ...base(source, 'approval.needed', [f.hop, f.wave], text, at),
      wave: f.wave,
      ...(f.hop ? { hop: f.hop } : {}),
      ...(f.timeoutAt ? { timeoutAt: f.timeoutAt, onTimeout: f.onTimeout ?? 'abort' } : {}),
      commands,
    };
  },

  waveDone: (
    source: EventSource,
    f: { wave: string; hop?: string; total: number; counts: OutcomeCounts },
    at?: string,
  ): WaveDoneEvent => ({
    ...base(
      source,
      'wave.done',
      [f.hop, f.wave],
      `Rollout ${source.rolloutId}: wave ${f.wave}${inHop(f.hop)} done, ${countsLine(f.counts, f.total)}`,
      at,
    ),
    wave: f.wave,
    ...(f.hop ? { hop: f.hop } : {}),
    total: f.total,
    counts: { ...f.counts },
  }),

  /** `recheck`: the gate run again by an operator, failing again (a new notice). */
  gateFailed: (
    source: EventSource,
    f: {
      gate: string;
      reason: string;
      wave?: string;
      clusterId?: string;
      hop?: string;
      occurrence?: number;
      recheck?: number;
    },
    at?: string,
  ): GateFailedEvent => {
    const where = [f.wave ? `wave ${f.wave}` : undefined, f.clusterId ? `cluster ${f.clusterId}` : undefined]
      .filter(Boolean)
      .join(', ');
    // A gate's reason names what failed (a body's start, the series out of bounds): kept longer than others.
    const text = `Rollout ${source.rolloutId}: ${f.gate} gate failed${where ? ` (${where})` : ''}: ${clip(f.reason, MAX_GATE_REASON)}`;
    return {
      ...base(
        source,
        'gate.failed',
        [f.gate, f.hop, f.wave, f.clusterId, f.occurrence ?? 0, ...rechecked(f.recheck)],
        text,
        at,
      ),
      gate: f.gate,
      ...(f.wave ? { wave: f.wave } : {}),
      ...(f.clusterId ? { clusterId: f.clusterId } : {}),
      reason: clip(f.reason, MAX_GATE_REASON),
    };
  },

  clusterFailed: (
    source: EventSource,
    f: ClusterFields & { outcome: ClusterOutcome },
    at?: string,
  ): ClusterFailedEvent => ({
    ...aboutCluster(source, 'cluster.failed', f, at),
    outcome: f.outcome,
  }),

  clusterBlocked: (source: EventSource, f: Omit<ClusterFields, 'outcome'>, at?: string): ClusterBlockedEvent =>
    aboutCluster(source, 'cluster.blocked', f, at),

  rolloutPaused: (
    source: EventSource,
    f: { gate: string; reason: string; wave?: string; occurrence?: number; recheck?: number },
    at?: string,
  ): RolloutPausedEvent => ({
    ...base(
      source,
      'rollout.paused',
      [f.gate, f.wave, f.occurrence ?? 0, ...rechecked(f.recheck)],
      `Rollout ${source.rolloutId} paused by the ${f.gate} gate${inWave(f.wave)}: ${clip(f.reason)}`,
      at,
    ),
    gate: f.gate,
    reason: clip(f.reason),
    ...(f.wave ? { wave: f.wave } : {}),
  }),

  /** An operator's action; `seq` (the rollout's count of actions) tells two alike apart. */
  operator: (
    source: EventSource,
    f: { type: OperatorEventType; seq: number; by?: string; reason?: string; target?: string },
    at?: string,
  ): OperatorEvent => {
    const what = `${OPERATOR_VERBS[f.type]}${f.target ? ` ${f.target}` : ''}`;
    const text = `Rollout ${source.rolloutId}: ${f.by ?? 'an operator'} ${what}${f.reason ? `: ${clip(f.reason)}` : ''}`;
    return {
      ...base(source, f.type, [f.seq], text, at),
      ...(f.by ? { by: f.by } : {}),
      ...(f.reason ? { reason: clip(f.reason) } : {}),
      ...(f.target ? { target: clip(f.target, 200) } : {}),
    };
  },

  rolloutHalted: (source: EventSource, f: { reason: string }, at?: string): RolloutHaltedEvent => ({
    ...base(source, 'rollout.halted', [], `Rollout ${source.rolloutId} halted: ${clip(f.reason)}`, at),
    reason: clip(f.reason),
  }),

  rolloutAborted: (source: EventSource, f: { reason: string; by?: string }, at?: string): RolloutAbortedEvent => ({
    ...base(
      source,
      'rollout.aborted',
      [],
      `Rollout ${source.rolloutId} aborted${f.by ? ` by ${f.by}` : ''}: ${clip(f.reason)}`,
      at,
    ),
    reason: clip(f.reason),
    ...(f.by ? { by: f.by } : {}),
  }),

  /** From the report the rollout returns (`RolloutReport` fits). */
  rolloutFinished: (
    source: EventSource,
    report: {
      status: RolloutStatus;
      total: number;
      counts: OutcomeCounts;
      stopReason?: string;
      skipped?: SkippedBreakdown;
      clusters: readonly {
        clusterId: string;
        name: string;
        outcome: ClusterOutcome;
        skippedBy?: { by?: string; reason?: string };
      }[];
    },
    at?: string,
  ): RolloutFinishedEvent => {
    const stopped = report.stopReason ? `; stopped: ${clip(report.stopReason, 200)}` : '';
    const why = report.skipped && report.counts.SKIPPED > 0 ? skippedText(report.skipped) : undefined;
    const summary = `${report.status}: ${countsLine(report.counts, report.total)}${why ? ` (skipped: ${why})` : ''}${stopped}`;
    const byOperator = report.clusters.filter((c) => c.skippedBy).slice(0, 5);
    return {
      ...base(source, 'rollout.finished', [], `Rollout ${source.rolloutId} finished ${summary}`, at),
      status: report.status,
      total: report.total,
      counts: { ...report.counts },
      summary,
      ...(report.stopReason ? { stopReason: clip(report.stopReason) } : {}),
      failed: report.clusters
        .filter((c) => c.outcome !== 'SUCCEEDED' && c.outcome !== 'SKIPPED')
        .slice(0, 5)
        .map((c) => ({ clusterId: c.clusterId, name: c.name, outcome: c.outcome })),
      ...(report.skipped ? { skipped: report.skipped } : {}),
      ...(byOperator.length > 0
        ? { skippedByOperator: byOperator.map((c) => ({ clusterId: c.clusterId, name: c.name, ...c.skippedBy })) }
        : {}),
    };
  },
} as const;
