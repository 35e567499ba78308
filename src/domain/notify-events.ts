/**
 * Notification events (**contract**: receivers parse these payloads; see docs/spec.md
 * "Notifications"). Pure and deterministic: the rollout builds events in workflow code,
 * so an event and its `id` come out the same on a retry, on replay and after
 * continue-as-new, and a receiver can drop what it has seen by `id`.
 *
 * Every event has `id`, `type`, `rolloutId`, `at` (RFC 3339, workflow time) and `text`
 * (one human line); the rest depends on the type.
 */
import type { PlatformName } from './platform.js';
import type { ClusterOutcome, OutcomeCounts, RolloutStatus } from './report.js';
import { CLUSTER_OUTCOMES } from './report.js';
import { sha256Hex } from './sha256.js';

/** Every event type, in the order a rollout usually meets them (**contract**). */
export const NOTIFY_EVENT_TYPES = [
  'rollout.started',
  'approval.needed',
  'wave.done',
  'gate.failed',
  'cluster.failed',
  'rollout.paused',
  'rollout.halted',
  'rollout.aborted',
  'rollout.finished',
] as const;

export type NotifyEventType = (typeof NOTIFY_EVENT_TYPES)[number];

/**
 * A channel's name: what `FLEET_NOTIFY_<NAME>_URL` defines, lower-cased (`OPS` -> `ops`).
 * Shared by the spec's schema and the worker's environment.
 */
export const CHANNEL_NAME = /^[a-z0-9][a-z0-9_]{0,39}$/;

/** One entry of the spec's `notify`: a channel, and the events it hears (all when absent). */
export interface NotifySpec {
  readonly channel: string;
  readonly events?: readonly NotifyEventType[];
}

/** The channels of `notify` that hear events of `type`, each once, in spec order. */
export function channelsFor(notify: readonly NotifySpec[] | undefined, type: NotifyEventType): string[] {
  const channels = (notify ?? []).filter((entry) => !entry.events || entry.events.includes(type)).map((entry) => entry.channel);
  return [...new Set(channels)];
}

/**
 * Which rollout an event belongs to. `firstRunId` is the rollout's
 * `workflowInfo().firstExecutionRunId`: the same in every run of one rollout (across
 * continue-as-new), different when a workflow id is used again for a new rollout next
 * week, whose events must not be taken for last week's.
 */
export interface EventSource {
  readonly rolloutId: string;
  readonly firstRunId: string;
  /** The Temporal namespace, for the `temporal` command of `approval.needed`; `default` when absent. */
  readonly namespace?: string;
}

interface EventBase<T extends NotifyEventType> {
  /** `evt_` and 32 hex digits, derived from the rollout, the type and the subject: the same however often it is sent. */
  readonly id: string;
  readonly type: T;
  readonly rolloutId: string;
  /** RFC 3339: when it happened (workflow time). */
  readonly at: string;
  /** One line for humans. */
  readonly text: string;
}

export interface TargetRef {
  readonly platform: PlatformName;
  readonly organisation: string;
}

export interface RolloutStartedEvent extends EventBase<'rollout.started'> {
  readonly targetVersion: string;
  readonly targets: readonly TargetRef[];
  readonly waves: readonly string[];
  readonly dryRun: boolean;
}

export interface ApprovalNeededEvent extends EventBase<'approval.needed'> {
  readonly wave: string;
  readonly hop?: string;
  /** RFC 3339: when the gate gives up, and what it then does. */
  readonly timeoutAt?: string;
  readonly onTimeout?: 'abort' | 'proceed';
  /** Exactly what to run to approve: the `fleet` CLI, or the Temporal CLI. */
  readonly commands: { readonly fleet: string; readonly temporal: string };
}

export interface WaveDoneEvent extends EventBase<'wave.done'> {
  readonly wave: string;
  readonly hop?: string;
  readonly total: number;
  readonly counts: OutcomeCounts;
}

export interface GateFailedEvent extends EventBase<'gate.failed'> {
  /** Which gate: `health`, `analysis`, `approval`, ... */
  readonly gate: string;
  readonly wave?: string;
  readonly clusterId?: string;
  readonly reason: string;
}

export interface ClusterFailedEvent extends EventBase<'cluster.failed'> {
  readonly clusterId: string;
  readonly name: string;
  /** FAILED, MISSED or SUPERSEDED. */
  readonly outcome: ClusterOutcome;
  readonly wave?: string;
  readonly hop?: string;
  readonly platform?: PlatformName;
  readonly organisation?: string;
  readonly reason?: string;
}

export interface RolloutPausedEvent extends EventBase<'rollout.paused'> {
  /** The gate that paused it. */
  readonly gate: string;
  readonly reason: string;
  readonly wave?: string;
}

export interface RolloutHaltedEvent extends EventBase<'rollout.halted'> {
  readonly reason: string;
}

export interface RolloutAbortedEvent extends EventBase<'rollout.aborted'> {
  readonly reason: string;
  readonly by?: string;
}

export interface RolloutFinishedEvent extends EventBase<'rollout.finished'> {
  readonly status: RolloutStatus;
  readonly total: number;
  readonly counts: OutcomeCounts;
  /** The report in a line: status, counts, why it stopped. */
  readonly summary: string;
  readonly stopReason?: string;
  /** The first few clusters that did not succeed (the report has them all). */
  readonly failed: readonly { readonly clusterId: string; readonly name: string; readonly outcome: ClusterOutcome }[];
}

export type NotifyEvent =
  | RolloutStartedEvent
  | ApprovalNeededEvent
  | WaveDoneEvent
  | GateFailedEvent
  | ClusterFailedEvent
  | RolloutPausedEvent
  | RolloutHaltedEvent
  | RolloutAbortedEvent
  | RolloutFinishedEvent;

/** Reasons come from platforms and operators: one event stays one readable line. */
const MAX_REASON = 300;
const clip = (text: string, max = MAX_REASON): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/**
 * The id of the event of `type` about `subject` (a wave, a cluster, ...). `occurrence`
 * tells apart the same thing happening again (a cluster retried by an operator fails a
 * second time); the same occurrence is the same event, however often it is sent.
 */
export function notifyEventId(source: EventSource, type: NotifyEventType, subject: readonly (string | number | undefined)[] = []): string {
  return `evt_${sha256Hex(JSON.stringify([source.rolloutId, source.firstRunId, type, ...subject.map((part) => part ?? null)])).slice(0, 32)}`;
}

const base = <T extends NotifyEventType>(source: EventSource, type: T, subject: readonly (string | number | undefined)[], text: string, at?: string): EventBase<T> => ({
  id: notifyEventId(source, type, subject),
  type,
  rolloutId: source.rolloutId,
  // Workflow time in workflow code: deterministic on replay.
  at: at ?? new Date().toISOString(),
  text: clip(text, 500),
});

/** A word safe for a POSIX shell as it is, or single-quoted. */
export const shellWord = (word: string): string => (/^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

/** The two commands that open `wave`'s approval gate, as an operator would paste them. */
export function approveCommands(source: EventSource, wave: string): { fleet: string; temporal: string } {
  const namespace = source.namespace && source.namespace !== 'default' ? source.namespace : undefined;
  const id = shellWord(source.rolloutId);
  return {
    fleet: ['fleet rollout approve', id, shellWord(wave), ...(namespace ? ['--namespace', shellWord(namespace)] : [])].join(' '),
    temporal: [
      'temporal workflow update execute',
      ...(namespace ? ['--namespace', shellWord(namespace)] : []),
      '--workflow-id',
      id,
      '--name approve --input',
      shellWord(JSON.stringify({ wave })),
    ].join(' '),
  };
}

/** "3 succeeded, 1 failed of 4": the outcomes that happened, in the report's order. */
export function countsLine(counts: OutcomeCounts, total: number): string {
  const parts = CLUSTER_OUTCOMES.filter((outcome) => counts[outcome] > 0).map((outcome) => `${counts[outcome]} ${outcome.toLowerCase().replace('_', ' ')}`);
  return `${parts.length > 0 ? parts.join(', ') : 'nothing ended'} of ${total}`;
}

const inHop = (hop: string | undefined) => (hop ? ` (hop ${hop})` : '');

/** Builders, one per type: what the rollout calls. `at` defaults to now (workflow time). */
export const notifyEvents = {
  rolloutStarted: (source: EventSource, f: { targetVersion: string; targets: readonly TargetRef[]; waves: readonly string[]; dryRun: boolean }, at?: string): RolloutStartedEvent => ({
    ...base(source, 'rollout.started', [], `Rollout ${source.rolloutId} started: ${f.targets.map((t) => `${t.platform}/${t.organisation}`).join(' + ')} to ${f.targetVersion}${f.dryRun ? ' (dry run)' : ''}, waves ${f.waves.join(', ')}`, at),
    targetVersion: f.targetVersion,
    targets: f.targets.map((t) => ({ platform: t.platform, organisation: t.organisation })),
    waves: [...f.waves],
    dryRun: f.dryRun,
  }),

  approvalNeeded: (source: EventSource, f: { wave: string; hop?: string; timeoutAt?: string; onTimeout?: 'abort' | 'proceed' }, at?: string): ApprovalNeededEvent => {
    const commands = approveCommands(source, f.wave);
    const deadline = f.timeoutAt ? `; ${f.onTimeout ?? 'abort'} at ${f.timeoutAt} without one` : '';
    return {
      ...base(source, 'approval.needed', [f.hop, f.wave], `Rollout ${source.rolloutId} waits for approval of wave ${f.wave}${inHop(f.hop)}: ${commands.fleet}${deadline}`, at),
      wave: f.wave,
      ...(f.hop ? { hop: f.hop } : {}),
      ...(f.timeoutAt ? { timeoutAt: f.timeoutAt, onTimeout: f.onTimeout ?? 'abort' } : {}),
      commands,
    };
  },

  waveDone: (source: EventSource, f: { wave: string; hop?: string; total: number; counts: OutcomeCounts }, at?: string): WaveDoneEvent => ({
    ...base(source, 'wave.done', [f.hop, f.wave], `Rollout ${source.rolloutId}: wave ${f.wave}${inHop(f.hop)} done, ${countsLine(f.counts, f.total)}`, at),
    wave: f.wave,
    ...(f.hop ? { hop: f.hop } : {}),
    total: f.total,
    counts: { ...f.counts },
  }),

  gateFailed: (source: EventSource, f: { gate: string; reason: string; wave?: string; clusterId?: string; hop?: string; occurrence?: number }, at?: string): GateFailedEvent => {
    const where = [f.wave ? `wave ${f.wave}` : undefined, f.clusterId ? `cluster ${f.clusterId}` : undefined].filter(Boolean).join(', ');
    return {
      ...base(source, 'gate.failed', [f.gate, f.hop, f.wave, f.clusterId, f.occurrence ?? 0], `Rollout ${source.rolloutId}: ${f.gate} gate failed${where ? ` (${where})` : ''}: ${clip(f.reason)}`, at),
      gate: f.gate,
      ...(f.wave ? { wave: f.wave } : {}),
      ...(f.clusterId ? { clusterId: f.clusterId } : {}),
      reason: clip(f.reason),
    };
  },

  clusterFailed: (
    source: EventSource,
    f: { clusterId: string; name: string; outcome: ClusterOutcome; wave?: string; hop?: string; platform?: PlatformName; organisation?: string; reason?: string; occurrence?: number },
    at?: string,
  ): ClusterFailedEvent => ({
    ...base(
      source,
      'cluster.failed',
      [f.clusterId, f.hop, f.occurrence ?? 0],
      `Rollout ${source.rolloutId}: cluster ${f.name} ${f.outcome}${f.wave ? ` in wave ${f.wave}` : ''}${inHop(f.hop)}${f.reason ? `: ${clip(f.reason)}` : ''}`,
      at,
    ),
    clusterId: f.clusterId,
    name: f.name,
    outcome: f.outcome,
    ...(f.wave ? { wave: f.wave } : {}),
    ...(f.hop ? { hop: f.hop } : {}),
    ...(f.platform ? { platform: f.platform } : {}),
    ...(f.organisation ? { organisation: f.organisation } : {}),
    ...(f.reason ? { reason: clip(f.reason) } : {}),
  }),

  rolloutPaused: (source: EventSource, f: { gate: string; reason: string; wave?: string; occurrence?: number }, at?: string): RolloutPausedEvent => ({
    ...base(source, 'rollout.paused', [f.gate, f.wave, f.occurrence ?? 0], `Rollout ${source.rolloutId} paused by the ${f.gate} gate${f.wave ? ` in wave ${f.wave}` : ''}: ${clip(f.reason)}`, at),
    gate: f.gate,
    reason: clip(f.reason),
    ...(f.wave ? { wave: f.wave } : {}),
  }),

  rolloutHalted: (source: EventSource, f: { reason: string }, at?: string): RolloutHaltedEvent => ({
    ...base(source, 'rollout.halted', [], `Rollout ${source.rolloutId} halted: ${clip(f.reason)}`, at),
    reason: clip(f.reason),
  }),

  rolloutAborted: (source: EventSource, f: { reason: string; by?: string }, at?: string): RolloutAbortedEvent => ({
    ...base(source, 'rollout.aborted', [], `Rollout ${source.rolloutId} aborted${f.by ? ` by ${f.by}` : ''}: ${clip(f.reason)}`, at),
    reason: clip(f.reason),
    ...(f.by ? { by: f.by } : {}),
  }),

  /** From the report the rollout returns (`RolloutReport` fits). */
  rolloutFinished: (
    source: EventSource,
    report: { status: RolloutStatus; total: number; counts: OutcomeCounts; stopReason?: string; clusters: readonly { clusterId: string; name: string; outcome: ClusterOutcome }[] },
    at?: string,
  ): RolloutFinishedEvent => {
    const summary = `${report.status}: ${countsLine(report.counts, report.total)}${report.stopReason ? `; stopped: ${clip(report.stopReason, 200)}` : ''}`;
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
    };
  },
} as const;
