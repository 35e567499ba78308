/**
 * The rollout spec: the workflow's input (**contract**, see README "Workflow contract").
 *
 * `parseRolloutSpec` turns the plain JSON any Temporal client sends into a normalised
 * `RolloutPlan` (durations in milliseconds, defaults filled in), or fails with every
 * problem named by its field. It is pure and deterministic, so the CLI calls it before
 * starting a workflow and the workflow calls it again as its first step, before any API
 * call: a spec started from the Temporal UI is held to the same rules.
 */
import { z } from 'zod';
import { parseDuration } from './durations.js';
import { isUuid, normaliseId } from './ids.js';
import type { FreezePeriod } from './freeze.js';
import type { PlatformName } from './platform.js';
import { FREEZE_KEYS, freezePeriods, freezeProblems, freezeSchema, WEEKLY_KEYS } from './spec-freeze.js';
import type { HealthCheck } from './health.js';
import { healthCheckProblems, healthChecksOf, healthChecksSchema, healthKnownFields } from './spec-health.js';
import type { WaveGate } from './gate.js';
import { gateKnownFields, gateProblems, gateSchema, waveGateOf } from './spec-gate.js';
import type { NotifySpec } from './notify-events.js';
import { NOTIFY_KEYS, notifyPlan, notifyProblems, notifySchema } from './spec-notify.js';
import { platformSchema, platformsOf, TARGET_KEYS, targetProblems, targetsOf, targetsSchema, type RolloutTarget } from './spec-targets.js';
import type { ClusterSelector } from './selectors.js';
import { excludeSchema, selectorSchema, SELECTOR_KEYS, takesTheRest, targetingProblems, unmatchedSchema, type Exclusion } from './spec-selectors.js';
import { capProblems, describeValue, gotInstead, quote, specErrorMap, unknownFieldProblems, type SpecProblem } from './spec-messages.js';
import { formatVersion, parseVersion } from './versions.js';

/** Milliseconds from a duration string (or a number of milliseconds), or an issue naming the value. */
const toMilliseconds = (value: string | number, ctx: z.RefinementCtx): number => {
  const parsed = parseDuration(value);
  if (parsed === undefined) {
    ctx.addIssue({ code: 'custom', message: `not a duration: ${quote(value)} (use e.g. "30s", "15m", "7d")` });
    return z.NEVER;
  }
  return parsed;
};

/** A string such as "30s", or milliseconds; what neither is gets one message, not zod's "Invalid input". */
const durationInput = () => z.union([z.string(), z.number()], { error: (issue) => `must be a duration such as "30s" or "7d", got ${describeValue(issue.input)}` });

const duration = (fallback: string) => durationInput().default(fallback).transform(toMilliseconds);

/** A count (`3`) or a share of the clusters (`"10%"`). */
const countOrPercent = z.union(
  [
    z.number().int().min(0),
    z.string().regex(/^(100|\d{1,2})(\.\d+)?%$/, 'must be a whole number or a percentage such as "10%"'),
  ],
  { error: (issue) => `must be a whole number or a percentage such as "10%", got ${describeValue(issue.input)}` },
);

const failureBudgetSchema = z
  .object({
    /** Failures allowed; one more halts the rollout. */
    maxFailed: countOrPercent,
    /** Whether SUPERSEDED counts as a failure. */
    countSuperseded: z.boolean().default(true),
  })
  .strict();

const optionalDuration = durationInput().transform(toMilliseconds).optional();

const ON_TIMEOUT = ['abort', 'proceed'] as const;

const approvalObjectSchema = z
  .object({
    /** How long to wait for `approve`; forever when absent. */
    timeout: optionalDuration,
    /** What an expired gate does. */
    onTimeout: z.enum(ON_TIMEOUT, { error: (issue) => `must be "abort" or "proceed", ${gotInstead(issue.input, ON_TIMEOUT)}` }).default('abort'),
  })
  .strict();

const approvalSchema = z.union([z.boolean(), approvalObjectSchema], {
  error: (issue) => `must be true, false or {"timeout": "24h", "onTimeout": "abort" | "proceed"}, got ${describeValue(issue.input)}`,
});

const clusterIds = z.array(z.string().refine(isUuid, { error: (issue) => `not a cluster UUID: ${quote(issue.input)}` }));

/** Lists are bounded, and counted before their items are checked: 100,001 ids are one problem, found at once. */
const MAX_CLUSTERS = 100_000;
const MAX_WAVES = 50;
const tooMany = (noun: string, max: number, hint = '') => (issue: { input?: unknown }) =>
  `lists ${Array.isArray(issue.input) ? issue.input.length : 'too many'} ${noun}; at most ${max} allowed${hint}`;

const waveSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be 1-63 letters, digits, ".", "_" or "-"'),
    /** How many of the clusters to upgrade this wave takes; absent (and no `clusters`): all that are left. */
    size: countOrPercent.optional(),
    clusters: clusterIds.min(1, 'must list at least one cluster').max(MAX_CLUSTERS, { error: tooMany('clusters', MAX_CLUSTERS) }).optional(),
    /** The clusters this wave takes by what they are (see selectors.ts); `size` then cuts that set. */
    match: selectorSchema.optional(),
    maxParallel: z.number().int().min(1).max(1000).optional(),
    soak: optionalDuration,
    approval: approvalSchema.optional(),
    failureBudget: failureBudgetSchema.optional(),
    /** Checks this wave's clusters run after their upgrade, besides the rollout's (spec-health.ts). */
    healthChecks: healthChecksSchema.optional(),
    /** Analysis of the wave as a whole after it and its soak, before the next wave (spec-gate.ts). */
    gate: gateSchema.optional(),
  })
  .strict();

const attempts = (fallback: number) =>
  z.object({ maxAttempts: z.number().int().min(0).max(100).default(fallback) }).strict().default({ maxAttempts: fallback });

export const rolloutSpecSchema = z
  .object({
    // Required unless `targets` names them (spec-targets.ts says which is missing).
    platform: platformSchema.optional(),
    organisation: z.string().min(1, 'must not be empty').optional(),
    /** Several platforms and organisations in one rollout, in place of platform + organisation. */
    targets: targetsSchema.optional(),
    targetVersion: z
      .string()
      .min(1, 'must not be empty')
      .refine((v) => v.length === 0 || parseVersion(v) !== undefined, {
        error: (issue) => `not a Kubernetes version: ${quote(issue.input)} (use e.g. "1.31" or "1.31.4")`,
      }),
    clusters: clusterIds.max(MAX_CLUSTERS, { error: tooMany('clusters', MAX_CLUSTERS, ' in one rollout (omit clusters to upgrade the whole organisation, or split the rollout)') }).optional(),
    maxParallel: z.number().int().min(1).max(1000).default(10),
    waves: z.array(waveSchema).min(1, 'must list at least one wave (omit it for a canary, then the rest)').max(MAX_WAVES, { error: tooMany('waves', MAX_WAVES) }).optional(),
    /** Soak after each wave but the last, unless the wave sets its own. */
    soak: duration('0s'),
    failureBudget: failureBudgetSchema.optional(),
    /** Clusters never touched: ids or selectors. They are reported as excluded. */
    exclude: excludeSchema.optional(),
    /** Clusters that match no wave when every wave selects: refuse the plan, or report them SKIPPED. */
    unmatched: unmatchedSchema.optional(),
    /** When no cluster may start: fixed periods and weekly ones (see freeze.ts). */
    freeze: freezeSchema.optional(),
    /** Checks every cluster runs once its upgrade succeeded (spec-health.ts, health.ts). */
    healthChecks: healthChecksSchema.optional(),
    /** Which of the worker's notification channels hear which events (see spec-notify.ts). */
    notify: notifySchema.optional(),
    /** Minor versions one rollout may cross, one hop (a full pass over the fleet) each. */
    maxHops: z.number().int().min(1).max(10).default(1),
    /** Patch upgrades only: clusters on the target's minor take part, the others are left out (a schedule per minor keeps each current). */
    patchOnly: z.boolean().default(false),
    /** Advanced: history events one run of the rollout may reach before it continues as new (Temporal warns at 10,240). */
    historyEventsPerRun: z.number().int().min(200).max(9_000).default(4_000),
    retry: attempts(2),
    reschedule: attempts(2),
    pollInterval: duration('30s'),
    /** How long one cluster is expected to take (request to verified, windows included): the finish forecast's assumption until clusters have ended. */
    expectedClusterDuration: duration('30m'),
    clusterDeadline: duration('14d'),
    /** Advanced: a failed cluster's child, held for the rollout, first asks after this long whether the rollout still runs (then doubling, to 12 h). */
    holdCheck: duration('10m'),
    ignoreMaintenanceSchedule: z.boolean().default(false),
    scheduleRequestDate: z.iso.datetime({ offset: true, message: 'must be an RFC 3339 date-time' }).optional(),
    dryRun: z.boolean().default(false),
  })
  .strict();

/**
 * Checks that span fields (the organisation's form depends on the platform) or items
 * (duplicates). Run on the raw input beside the schema, so one pass names every problem
 * even when other fields are broken too.
 */
function crossFieldProblems(input: unknown): SpecProblem[] {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return [];
  const spec = input as Record<string, unknown>;
  const problems: SpecProblem[] = [];
  problems.push(...targetProblems(spec));
  if (spec.patchOnly === true && typeof spec.maxHops === 'number' && spec.maxHops > 1) {
    problems.push({ field: 'patchOnly', message: 'patch upgrades stay within a minor: remove maxHops or patchOnly' });
  }
  if (Array.isArray(spec.clusters)) {
    if (spec.clusters.length === 0) problems.push({ field: 'clusters', message: 'must list at least one cluster (omit it to upgrade the whole organisation)' });
    const seen = new Set<string>();
    spec.clusters.forEach((id: unknown, index) => {
      if (typeof id !== 'string' || !isUuid(id)) return;
      if (seen.has(normaliseId(id))) problems.push({ field: `clusters[${index}]`, message: `cluster ${id} is listed twice` });
      seen.add(normaliseId(id));
    });
  }
  if (Array.isArray(spec.waves)) problems.push(...waveProblems(spec.waves));
  problems.push(...targetingProblems(spec, platformsOf(spec)));
  problems.push(...freezeProblems(spec.freeze));
  problems.push(...healthCheckProblems(spec), ...gateProblems(spec));
  problems.push(...notifyProblems(spec.notify));
  return problems;
}

/** Wave rules that span waves: unique names, `size` xor `clusters`, only the last takes "the rest", a cluster in one wave only. */
function waveProblems(waves: unknown[]): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const names = new Set<string>();
  const claimed = new Set<string>();
  waves.forEach((raw, index) => {
    if (!raw || typeof raw !== 'object') return;
    const wave = raw as Record<string, unknown>;
    const field = `waves[${index}]`;
    if (typeof wave.name === 'string') {
      if (names.has(wave.name)) problems.push({ field: `${field}.name`, message: `wave ${quote(wave.name)} is named twice` });
      names.add(wave.name);
    }
    if (wave.size !== undefined && wave.clusters !== undefined) problems.push({ field, message: 'set size or clusters, not both' });
    if (takesTheRest(wave) && index !== waves.length - 1) {
      problems.push({ field, message: 'only the last wave may omit size, clusters and match (it takes the rest)' });
    }
    if (Array.isArray(wave.clusters)) {
      wave.clusters.forEach((id: unknown, i) => {
        if (typeof id !== 'string' || !isUuid(id)) return;
        if (claimed.has(normaliseId(id))) problems.push({ field: `${field}.clusters[${i}]`, message: `cluster ${id} is in more than one wave` });
        claimed.add(normaliseId(id));
      });
    }
  });
  return problems;
}

/** The spec as users write it (durations as strings, optional fields optional). */
export type RolloutSpec = z.input<typeof rolloutSpecSchema>;

/** The spec after validation: defaults filled in, durations in milliseconds, ids normalised. */
export interface RolloutPlan {
  /** Where the rollout runs: one target, or the spec's `targets` in order. */
  readonly targets: readonly RolloutTarget[];
  /** The first target's (the only one's, unless the spec lists `targets`). */
  readonly platform: PlatformName;
  readonly organisation: string;
  /** Normalised, e.g. `1.31` or `1.31.4`. */
  readonly targetVersion: string;
  readonly clusters?: readonly string[];
  readonly maxParallel: number;
  /** As written, or the default: a one-cluster canary, then the rest. */
  readonly waves: readonly WaveSpec[];
  readonly soakMs: number;
  readonly failureBudget?: FailureBudget;
  /** Clusters never touched (ids lower-cased, selectors as written). */
  readonly exclude?: readonly Exclusion[];
  /** When every wave selects: what clusters that match none do. */
  readonly unmatched: 'refuse' | 'skip';
  /** When no cluster may start. */
  readonly freeze?: readonly FreezePeriod[];
  /** Checks every cluster runs after its upgrade; a wave may add its own (health.ts: healthChecksFor). */
  readonly healthChecks?: readonly HealthCheck[];
  /** Which notification channels hear which events (every event when an entry has no `events`). */
  readonly notify?: readonly NotifySpec[];
  readonly maxHops: number;
  /** Only clusters already on the target's minor take part. */
  readonly patchOnly: boolean;
  readonly historyEventsPerRun: number;
  readonly retry: { readonly maxAttempts: number };
  readonly reschedule: { readonly maxAttempts: number };
  readonly pollIntervalMs: number;
  /** The forecast's assumption until clusters have ended. */
  readonly expectedClusterMs: number;
  readonly clusterDeadlineMs: number;
  /** The first wait of a held cluster's child before it checks its rollout still runs (cluster-hold.ts). */
  readonly holdCheckMs: number;
  readonly ignoreMaintenanceSchedule: boolean;
  readonly scheduleRequestDate?: string;
  readonly dryRun: boolean;
}

/** A count, or a share of the clusters as written (`"10%"`). */
export type CountOrPercent = number | string;

export interface FailureBudget {
  readonly maxFailed: CountOrPercent;
  readonly countSuperseded: boolean;
}

export interface ApprovalGate {
  /** Absent: wait for `approve` for ever. */
  readonly timeoutMs?: number;
  readonly onTimeout: 'abort' | 'proceed';
}

export interface WaveSpec {
  readonly name: string;
  readonly size?: CountOrPercent;
  readonly clusters?: readonly string[];
  readonly match?: ClusterSelector;
  readonly maxParallel?: number;
  readonly soakMs?: number;
  readonly approval?: ApprovalGate;
  readonly failureBudget?: FailureBudget;
  readonly healthChecks?: readonly HealthCheck[];
  readonly gate?: WaveGate;
}

/** **Contract**: without `waves`, one canary cluster first, then the rest. */
export const DEFAULT_WAVES: readonly WaveSpec[] = [{ name: 'canary', size: 1 }, { name: 'rest' }];

export type { SpecProblem };

export class InvalidSpecError extends Error {
  constructor(readonly problems: readonly SpecProblem[]) {
    super(`invalid rollout spec: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
    this.name = 'InvalidSpecError';
  }
}

function fieldOf(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'spec';
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');
}

export type ParseResult = { readonly ok: true; readonly plan: RolloutPlan } | { readonly ok: false; readonly problems: readonly SpecProblem[] };

/** The fields an object at `path` may have, for "did you mean" on an unknown one. */
function knownFieldsAt(path: readonly PropertyKey[]): readonly string[] {
  const last = path.at(-1);
  if (last === undefined) return Object.keys(rolloutSpecSchema.shape);
  const health = healthKnownFields(path) ?? gateKnownFields(path);
  if (health) return health;
  if (last === 'match' || (typeof last === 'number' && path.at(-2) === 'exclude')) return SELECTOR_KEYS;
  if (typeof last === 'number' && path.at(-2) === 'targets') return TARGET_KEYS;
  if (typeof last === 'number' && path.at(-2) === 'freeze') return FREEZE_KEYS;
  if (typeof last === 'number' && path.at(-2) === 'notify') return NOTIFY_KEYS;
  if (last === 'weekly') return WEEKLY_KEYS;
  if (typeof last === 'number') return Object.keys(waveSchema.shape);
  if (last === 'failureBudget') return Object.keys(failureBudgetSchema.shape);
  if (last === 'approval') return Object.keys(approvalObjectSchema.shape);
  if (last === 'retry' || last === 'reschedule') return ['maxAttempts'];
  return [];
}

/**
 * Never throws, whatever `input` is: the plan, or every problem (capped, see
 * spec-messages.ts), each naming its field.
 */
export function validateRolloutSpec(input: unknown): ParseResult {
  const result = rolloutSpecSchema.safeParse(input, { error: specErrorMap });
  const problems: SpecProblem[] = result.success
    ? []
    : result.error.issues.flatMap((issue) =>
        issue.code === 'unrecognized_keys'
          ? unknownFieldProblems(issue.path.length ? fieldOf(issue.path) : '', issue.keys, knownFieldsAt(issue.path))
          : [{ field: fieldOf(issue.path), message: issue.path.length === 0 && issue.code === 'invalid_type' ? `must be an object of spec fields, got ${describeValue(input)}` : issue.message }],
      );
  problems.push(...crossFieldProblems(input));
  if (!result.success || problems.length > 0) return { ok: false, problems: capProblems(problems) };
  const spec = result.data;
  const targets = targetsOf(spec);
  const plan: RolloutPlan = {
    targets,
    platform: targets[0]!.platform,
    organisation: targets[0]!.organisation,
    targetVersion: formatVersion(parseVersion(spec.targetVersion)!),
    ...(spec.clusters ? { clusters: spec.clusters.map(normaliseId) } : {}),
    maxParallel: spec.maxParallel,
    waves: spec.waves
      ? spec.waves.map((w) => ({
          name: w.name,
          ...(w.size !== undefined ? { size: w.size } : {}),
          ...(w.clusters ? { clusters: w.clusters.map(normaliseId) } : {}),
          ...(w.match ? { match: w.match } : {}),
          ...(w.maxParallel !== undefined ? { maxParallel: w.maxParallel } : {}),
          ...(w.soak !== undefined ? { soakMs: w.soak } : {}),
          ...(w.approval ? { approval: w.approval === true ? { onTimeout: 'abort' as const } : { ...(w.approval.timeout !== undefined ? { timeoutMs: w.approval.timeout } : {}), onTimeout: w.approval.onTimeout } } : {}),
          ...(w.failureBudget ? { failureBudget: w.failureBudget } : {}),
          ...(w.healthChecks ? { healthChecks: healthChecksOf(w.healthChecks) } : {}),
          ...(w.gate ? { gate: waveGateOf(w.gate) } : {}),
        }))
      : DEFAULT_WAVES,
    soakMs: spec.soak,
    ...(spec.failureBudget ? { failureBudget: spec.failureBudget } : {}),
    ...(spec.exclude ? { exclude: spec.exclude.map((e) => (typeof e === 'string' ? normaliseId(e) : e)) } : {}),
    unmatched: spec.unmatched ?? 'refuse',
    ...(spec.freeze ? { freeze: freezePeriods(spec.freeze) } : {}),
    ...(spec.healthChecks ? { healthChecks: healthChecksOf(spec.healthChecks) } : {}),
    ...(spec.notify ? { notify: notifyPlan(spec.notify) } : {}),
    maxHops: spec.maxHops,
    patchOnly: spec.patchOnly,
    historyEventsPerRun: spec.historyEventsPerRun,
    retry: spec.retry,
    reschedule: spec.reschedule,
    pollIntervalMs: spec.pollInterval,
    expectedClusterMs: spec.expectedClusterDuration,
    clusterDeadlineMs: spec.clusterDeadline,
    holdCheckMs: spec.holdCheck,
    ignoreMaintenanceSchedule: spec.ignoreMaintenanceSchedule,
    ...(spec.scheduleRequestDate ? { scheduleRequestDate: spec.scheduleRequestDate } : {}),
    dryRun: spec.dryRun,
  };
  return { ok: true, plan };
}

/** validateRolloutSpec that throws InvalidSpecError naming every problem. */
export function parseRolloutSpec(input: unknown): RolloutPlan {
  const result = validateRolloutSpec(input);
  if (!result.ok) throw new InvalidSpecError(result.problems);
  return result.plan;
}
