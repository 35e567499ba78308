/**
 * The rollout spec's schema (zod): every field as users write it, its default, and the
 * message a wrong value gets. spec.ts validates with it; spec-errors.ts names the fields
 * an object may have from it.
 */
import { z } from 'zod';
import { parseDuration } from './durations.js';
import { isUuid } from './ids.js';
import { freezeSchema } from './spec-freeze.js';
import { healthChecksSchema } from './spec-health.js';
import { preChecksSchema } from './spec-pre-check.js';
import { gateSchema } from './spec-gate.js';
import { notifySchema } from './spec-notify.js';
import { platformSchema, targetsSchema } from './spec-targets.js';
import { excludeSchema, selectorSchema, unmatchedSchema } from './spec-selectors.js';
import { targetVersionSchema, targetVersionsSchema } from './spec-versions.js';
import { describeValue, gotInstead, quote } from './spec-messages.js';

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
const durationInput = () =>
  z.union([z.string(), z.number()], {
    error: (issue) => `must be a duration such as "30s" or "7d", got ${describeValue(issue.input)}`,
  });

const duration = (fallback: string) => durationInput().default(fallback).transform(toMilliseconds);

/** A count (`3`) or a share of the clusters (`"10%"`). */
const countOrPercent = z.union(
  [
    z.number().int().min(0),
    z.string().regex(/^(100|\d{1,2})(\.\d+)?%$/, 'must be a whole number or a percentage such as "10%"'),
  ],
  { error: (issue) => `must be a whole number or a percentage such as "10%", got ${describeValue(issue.input)}` },
);

export const failureBudgetSchema = z
  .object({
    /** Failures allowed; one more halts the rollout. */
    maxFailed: countOrPercent,
    /** Whether SUPERSEDED counts as a failure. */
    countSuperseded: z.boolean().default(true),
  })
  .strict();

const optionalDuration = durationInput().transform(toMilliseconds).optional();

const ON_TIMEOUT = ['abort', 'proceed'] as const;

export const approvalObjectSchema = z
  .object({
    /** How long to wait for `approve`; forever when absent. */
    timeout: optionalDuration,
    /** What an expired gate does. */
    onTimeout: z
      .enum(ON_TIMEOUT, { error: (issue) => `must be "abort" or "proceed", ${gotInstead(issue.input, ON_TIMEOUT)}` })
      .default('abort'),
  })
  .strict();

const approvalSchema = z.union([z.boolean(), approvalObjectSchema], {
  error: (issue) =>
    `must be true, false or {"timeout": "24h", "onTimeout": "abort" | "proceed"}, got ${describeValue(issue.input)}`,
});

const clusterIds = z.array(
  z.string().refine(isUuid, { error: (issue) => `not a cluster UUID: ${quote(issue.input)}` }),
);

/** Lists are bounded, and counted before their items are checked: 100,001 ids are one problem, found at once. */
const MAX_CLUSTERS = 100_000;
const MAX_WAVES = 50;
const tooMany =
  (noun: string, max: number, hint = '') =>
  (issue: { input?: unknown }) =>
    `lists ${Array.isArray(issue.input) ? issue.input.length : 'too many'} ${noun}; at most ${max} allowed${hint}`;

export const waveSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be 1-63 letters, digits, ".", "_" or "-"'),
    /** How many of the clusters to upgrade this wave takes; absent (and no `clusters`): all that are left. */
    size: countOrPercent.optional(),
    clusters: clusterIds
      .min(1, 'must list at least one cluster')
      .max(MAX_CLUSTERS, { error: tooMany('clusters', MAX_CLUSTERS) })
      .optional(),
    /** The clusters this wave takes by what they are (see selectors.ts); `size` then cuts that set. */
    match: selectorSchema.optional(),
    maxParallel: z.number().int().min(1).max(1000).optional(),
    soak: optionalDuration,
    approval: approvalSchema.optional(),
    failureBudget: failureBudgetSchema.optional(),
    /** Checks this wave's clusters run after their upgrade, besides the rollout's (spec-health.ts). */
    healthChecks: healthChecksSchema.optional(),
    /** Checks this wave's clusters run before their upgrade is asked for, besides the rollout's (spec-pre-check.ts). */
    preChecks: preChecksSchema.optional(),
    /** Analysis of the wave as a whole after it and its soak, before the next wave (spec-gate.ts). */
    gate: gateSchema.optional(),
  })
  .strict();

const attempts = (fallback: number) =>
  z
    .object({ maxAttempts: z.number().int().min(0).max(100).default(fallback) })
    .strict()
    .default({ maxAttempts: fallback });

export const rolloutSpecSchema = z
  .object({
    // Required unless `targets` names them (spec-targets.ts says which is missing).
    platform: platformSchema.optional(),
    organisation: z.string().min(1, 'must not be empty').optional(),
    /** Several platforms and organisations in one rollout, in place of platform + organisation. */
    targets: targetsSchema.optional(),
    /** One version, `latest-patch` or a channel; or `targetVersions` (spec-versions.ts says which is missing). */
    targetVersion: targetVersionSchema.optional(),
    /** A version per minor: each cluster goes to its own minor's entry. */
    targetVersions: targetVersionsSchema.optional(),
    clusters: clusterIds
      .max(MAX_CLUSTERS, {
        error: tooMany(
          'clusters',
          MAX_CLUSTERS,
          ' in one rollout (omit clusters to upgrade the whole organisation, or split the rollout)',
        ),
      })
      .optional(),
    maxParallel: z.number().int().min(1).max(1000).default(10),
    waves: z
      .array(waveSchema)
      .min(1, 'must list at least one wave (omit it for a canary, then the rest)')
      .max(MAX_WAVES, { error: tooMany('waves', MAX_WAVES) })
      .optional(),
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
    /** Checks every cluster runs before its upgrade is asked for (spec-pre-check.ts, pre-check.ts). */
    preChecks: preChecksSchema.optional(),
    /** Which of the worker's notification channels hear which events (see spec-notify.ts). */
    notify: notifySchema.optional(),
    /** Minor versions one rollout may cross, one hop (a full pass over the fleet) each. */
    maxHops: z.number().int().min(1).max(10).default(1),
    /**
     * Patch upgrades only: clusters on the target's minor take part, the others are left out (a
     * schedule per minor keeps each current).
     */
    patchOnly: z.boolean().default(false),
    /**
     * Advanced: history events one run of the rollout may reach before it continues as new
     * (Temporal warns at 10,240).
     */
    historyEventsPerRun: z.number().int().min(200).max(9_000).default(4_000),
    retry: attempts(2),
    reschedule: attempts(2),
    pollInterval: duration('30s'),
    /**
     * How long one cluster is expected to take (request to verified, windows included): the
     * finish forecast's assumption until clusters have ended.
     */
    expectedClusterDuration: duration('30m'),
    clusterDeadline: duration('14d'),
    /**
     * Advanced: a failed cluster's child, held for the rollout, first asks after this long
     * whether the rollout still runs (then doubling, to 12 h).
     */
    holdCheck: duration('10m'),
    ignoreMaintenanceSchedule: z.boolean().default(false),
    scheduleRequestDate: z.iso.datetime({ offset: true, message: 'must be an RFC 3339 date-time' }).optional(),
    dryRun: z.boolean().default(false),
  })
  .strict();

/** The spec as users write it (durations as strings, optional fields optional). */
export type RolloutSpec = z.input<typeof rolloutSpecSchema>;
