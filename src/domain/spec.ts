/**
 * The rollout spec: the workflow's input (**contract**, see README "Workflow contract").
 *
 * `parseRolloutSpec` turns the plain JSON any Temporal client sends into a normalised
 * `RolloutPlan` (durations in milliseconds, defaults filled in), or fails with every
 * problem named by its field. It is pure and deterministic, so the CLI calls it before
 * starting a workflow and the workflow calls it again as its first step, before any API
 * call: a spec started from the Temporal UI is held to the same rules.
 */
import { isUuid, normaliseId } from './ids.js';
import { freezePeriods, freezeProblems } from './spec-freeze.js';
import { healthCheckProblems, healthChecksOf } from './spec-health.js';
import { gateProblems, waveGateOf } from './spec-gate.js';
import { preCheckProblems, preChecksOf } from './spec-pre-check.js';
import { notifyPlan, notifyProblems } from './spec-notify.js';
import { platformsOf, targetProblems, targetsOf } from './spec-targets.js';
import { takesTheRest, targetingProblems } from './spec-selectors.js';
import {
  capProblems,
  describeValue,
  quote,
  specErrorMap,
  unknownFieldProblems,
  type SpecProblem,
} from './spec-messages.js';
import { fieldOf, InvalidSpecError, knownFieldsAt } from './spec-errors.js';
import { DEFAULT_WAVES, type RolloutPlan } from './spec-plan.js';
import { rolloutSpecSchema } from './spec-schema.js';
import { normaliseTargetVersions, targetVersionLabel, versionTargetProblems } from './spec-versions.js';

// The schema, the plan's types and the error live beside this file; importers keep importing them from here.
export { rolloutSpecSchema, type RolloutSpec } from './spec-schema.js';
export {
  DEFAULT_WAVES,
  type ApprovalGate,
  type CountOrPercent,
  type FailureBudget,
  type RolloutPlan,
  type WaveSpec,
} from './spec-plan.js';
export { InvalidSpecError } from './spec-errors.js';
export type { SpecProblem };

/**
 * Checks that span fields (the organisation's form depends on the platform) or items
 * (duplicates). Run on the raw input beside the schema, so one pass names every problem
 * even when other fields are broken too.
 */
function crossFieldProblems(input: unknown): SpecProblem[] {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return [];
  const spec = input as Record<string, unknown>;
  const problems: SpecProblem[] = [];
  problems.push(...targetProblems(spec), ...versionTargetProblems(spec));
  if (spec.patchOnly === true && typeof spec.maxHops === 'number' && spec.maxHops > 1) {
    problems.push({ field: 'patchOnly', message: 'patch upgrades stay within a minor: remove maxHops or patchOnly' });
  }
  if (Array.isArray(spec.clusters)) {
    if (spec.clusters.length === 0)
      problems.push({
        field: 'clusters',
        message: 'must list at least one cluster (omit it to upgrade the whole organisation)',
      });
    const seen = new Set<string>();
    spec.clusters.forEach((id: unknown, index) => {
      if (typeof id !== 'string' || !isUuid(id)) return;
      if (seen.has(normaliseId(id)))
        problems.push({ field: `clusters[${index}]`, message: `cluster ${id} is listed twice` });
      seen.add(normaliseId(id));
    });
  }
  if (Array.isArray(spec.waves)) problems.push(...waveProblems(spec.waves));
  problems.push(...targetingProblems(spec, platformsOf(spec)));
  problems.push(...freezeProblems(spec.freeze));
  problems.push(...healthCheckProblems(spec), ...preCheckProblems(spec), ...gateProblems(spec));
  problems.push(...notifyProblems(spec.notify));
  return problems;
}

/**
 * Wave rules that span waves: unique names, `size` xor `clusters`, only the last takes "the
 * rest", a cluster in one wave only.
 */
function waveProblems(waves: unknown[]): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const names = new Set<string>();
  const claimed = new Set<string>();
  waves.forEach((raw, index) => {
    if (!raw || typeof raw !== 'object') return;
    const wave = raw as Record<string, unknown>;
    const field = `waves[${index}]`;
    if (typeof wave.name === 'string') {
      if (names.has(wave.name))
        problems.push({ field: `${field}.name`, message: `wave ${quote(wave.name)} is named twice` });
      names.add(wave.name);
    }
    if (wave.size !== undefined && wave.clusters !== undefined)
      problems.push({ field, message: 'set size or clusters, not both' });
    if (takesTheRest(wave) && index !== waves.length - 1) {
      problems.push({ field, message: 'only the last wave may omit size, clusters and match (it takes the rest)' });
    }
    if (Array.isArray(wave.clusters)) {
      wave.clusters.forEach((id: unknown, i) => {
        if (typeof id !== 'string' || !isUuid(id)) return;
        if (claimed.has(normaliseId(id)))
          problems.push({ field: `${field}.clusters[${i}]`, message: `cluster ${id} is in more than one wave` });
        claimed.add(normaliseId(id));
      });
    }
  });
  return problems;
}

export type ParseResult =
  { readonly ok: true; readonly plan: RolloutPlan } | { readonly ok: false; readonly problems: readonly SpecProblem[] };

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
          : [
              {
                field: fieldOf(issue.path),
                message:
                  issue.path.length === 0 && issue.code === 'invalid_type'
                    ? `must be an object of spec fields, got ${describeValue(input)}`
                    : issue.message,
              },
            ],
      );
  problems.push(...crossFieldProblems(input));
  if (!result.success || problems.length > 0) return { ok: false, problems: capProblems(problems) };
  const spec = result.data;
  const targets = targetsOf(spec);
  const plan: RolloutPlan = {
    targets,
    platform: targets[0]!.platform,
    organisation: targets[0]!.organisation,
    targetVersion: targetVersionLabel(spec.targetVersion, spec.targetVersions),
    ...(spec.targetVersions ? { targetVersions: normaliseTargetVersions(spec.targetVersions) } : {}),
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
          ...(w.approval
            ? {
                approval:
                  w.approval === true
                    ? { onTimeout: 'abort' as const }
                    : {
                        ...(w.approval.timeout !== undefined ? { timeoutMs: w.approval.timeout } : {}),
                        onTimeout: w.approval.onTimeout,
                      },
              }
            : {}),
          ...(w.failureBudget ? { failureBudget: w.failureBudget } : {}),
          ...(w.healthChecks ? { healthChecks: healthChecksOf(w.healthChecks) } : {}),
          ...(w.preChecks ? { preChecks: preChecksOf(w.preChecks) } : {}),
          ...(w.gate ? { gate: waveGateOf(w.gate) } : {}),
        }))
      : DEFAULT_WAVES,
    soakMs: spec.soak,
    ...(spec.failureBudget ? { failureBudget: spec.failureBudget } : {}),
    ...(spec.exclude ? { exclude: spec.exclude.map((e) => (typeof e === 'string' ? normaliseId(e) : e)) } : {}),
    unmatched: spec.unmatched ?? 'refuse',
    ...(spec.freeze ? { freeze: freezePeriods(spec.freeze) } : {}),
    ...(spec.healthChecks ? { healthChecks: healthChecksOf(spec.healthChecks) } : {}),
    ...(spec.preChecks ? { preChecks: preChecksOf(spec.preChecks) } : {}),
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
