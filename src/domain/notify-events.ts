/**
 * Notification events (**contract**: receivers parse these payloads; see docs/spec.md
 * "Notifications"). Pure and deterministic: the rollout builds events in workflow code,
 * so an event and its `id` come out the same on a retry, on replay and after
 * continue-as-new, and a receiver can drop what it has seen by `id`.
 *
 * Every event has `id`, `type`, `rolloutId`, `at` (RFC 3339, workflow time) and `text`
 * (one human line); the rest depends on the type. notify-builders.ts builds them.
 */
import type { SkippedBreakdown } from './skipped.js';
import type { PlatformName } from './platform.js';
import type { ClusterOutcome, OutcomeCounts, RolloutStatus } from './report.js';
import { sha256Hex } from './sha256.js';

/** Every event type, in the order a rollout usually meets them (**contract**). */
export const NOTIFY_EVENT_TYPES = [
  'rollout.started',
  'approval.needed',
  'wave.done',
  'gate.failed',
  'cluster.blocked',
  'cluster.failed',
  'rollout.paused',
  'rollout.halted',
  'rollout.aborted',
  'operator.paused',
  'operator.resumed',
  'operator.frozen',
  'operator.unfrozen',
  'operator.skipped',
  'operator.retried',
  'operator.approved',
  'operator.aborted',
  'rollout.finished',
] as const;

export type NotifyEventType = (typeof NOTIFY_EVENT_TYPES)[number];

/** An operator's own action (pause, resume, ...), with who and why: heard only by channels that name it. */
export type OperatorEventType = Extract<NotifyEventType, `operator.${string}`>;

export const isOperatorEvent = (type: NotifyEventType): type is OperatorEventType => type.startsWith('operator.');

/** What a spec's `events` may list: an event type, or `operator.*` for every operator event. */
export const OPERATOR_WILDCARD = 'operator.*';
export type NotifyEventName = NotifyEventType | typeof OPERATOR_WILDCARD;

/**
 * A channel's name: what `FLEET_NOTIFY_<NAME>_URL` defines, lower-cased (`OPS` -> `ops`).
 * Shared by the spec's schema and the worker's environment.
 */
export const CHANNEL_NAME = /^[a-z0-9][a-z0-9_]{0,39}$/;

/** One entry of the spec's `notify`: a channel, and the events it hears (all when absent). */
export interface NotifySpec {
  readonly channel: string;
  readonly events?: readonly NotifyEventName[];
  /** `true`: it hears dry runs too; absent, a dry run tells it nothing. */
  readonly dryRun?: boolean;
}

/** The entries that hear a run: all of them, or for a dry run only those that asked with `dryRun: true`. */
export const notifyForRun = (notify: readonly NotifySpec[] | undefined, dryRun: boolean): NotifySpec[] =>
  (notify ?? []).filter((entry) => !dryRun || entry.dryRun === true);

/** Whether an entry hears `type`: the rollout's events when it lists none; an operator's only when it names them. */
const hearsType = (entry: NotifySpec, type: NotifyEventType): boolean =>
  entry.events
    ? entry.events.includes(type) || (isOperatorEvent(type) && entry.events.includes(OPERATOR_WILDCARD))
    : !isOperatorEvent(type);

/** The channels of `notify` that hear events of `type`, each once, in spec order. */
export function channelsFor(notify: readonly NotifySpec[] | undefined, type: NotifyEventType): string[] {
  const channels = (notify ?? []).filter((entry) => hearsType(entry, type)).map((entry) => entry.channel);
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

export interface EventBase<T extends NotifyEventType> {
  /**
   * `evt_` and 32 hex digits, derived from the rollout, the type and the subject: the same
   * however often it is sent.
   */
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
  /** A per-minor rollout: each minor's target and how many clusters move to it. */
  readonly minors?: readonly { readonly minor: string; readonly to: string; readonly clusters: number }[];
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

/** A cluster a pre-upgrade check held back (BLOCKED, `onFail: "block"`): never asked for its upgrade. */
export interface ClusterBlockedEvent extends EventBase<'cluster.blocked'> {
  readonly clusterId: string;
  readonly name: string;
  readonly wave?: string;
  readonly hop?: string;
  readonly platform?: PlatformName;
  readonly organisation?: string;
  /** The check's reason and its last value. */
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

/** An operator's action (`operator.paused`, ...): who, why, and what it acted on (a wave, a cluster, a span). */
export interface OperatorEvent extends EventBase<OperatorEventType> {
  readonly by?: string;
  readonly reason?: string;
  readonly target?: string;
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
  /**
   * Why clusters were skipped: at the target, matched no wave, by an operator; and the excluded
   * (domain/skipped.ts).
   */
  readonly skipped?: SkippedBreakdown;
  /** The first few clusters an operator skipped, with who and why. */
  readonly skippedByOperator?: readonly {
    readonly clusterId: string;
    readonly name: string;
    readonly by?: string;
    readonly reason?: string;
  }[];
}

export type NotifyEvent =
  | RolloutStartedEvent
  | ApprovalNeededEvent
  | WaveDoneEvent
  | GateFailedEvent
  | ClusterBlockedEvent
  | ClusterFailedEvent
  | RolloutPausedEvent
  | RolloutHaltedEvent
  | RolloutAbortedEvent
  | OperatorEvent
  | RolloutFinishedEvent;

/**
 * The id of the event of `type` about `subject` (a wave, a cluster, ...). `occurrence`
 * tells apart the same thing happening again (a cluster retried by an operator fails a
 * second time); the same occurrence is the same event, however often it is sent.
 */
export function notifyEventId(
  source: EventSource,
  type: NotifyEventType,
  subject: readonly (string | number | undefined)[] = [],
): string {
  return `evt_${sha256Hex(JSON.stringify([source.rolloutId, source.firstRunId, type, ...subject.map((part) => part ?? null)])).slice(0, 32)}`;
}
