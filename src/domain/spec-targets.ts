/**
 * Where a rollout runs (**contract**, see docs/spec.md): one `platform` and
 * `organisation`, or `targets`, a list of them, so one rollout (one set of waves, one
 * failure budget, one report) spans several platforms and organisations.
 */
import { z } from 'zod';
import { descriptorOf, isPlatformName, PLATFORMS, type PlatformName } from './platform.js';
import { gotInstead, quote, type SpecProblem } from './spec-messages.js';
import { normaliseTargetVersions, targetVersionsSchema, type TargetVersions } from './spec-versions.js';
import type { RolloutTarget } from './targets.js';

/** Platforms and organisations one rollout may span. */
export const MAX_TARGETS = 10;

export { targetsLabel, type RolloutTarget } from './targets.js';

export const platformSchema = z.enum(PLATFORMS, {
  error: (issue) =>
    `${issue.input === undefined ? 'missing (required): ' : ''}must be one of ${PLATFORMS.join(', ')}${issue.input === undefined ? '' : `, ${gotInstead(issue.input, PLATFORMS)}`}`,
});

export const targetsSchema = z
  .array(
    z
      .object({
        platform: platformSchema,
        organisation: z.string().min(1, 'must not be empty'),
        /** This target's version per minor, in a per-minor rollout (spec-versions.ts). */
        targetVersions: targetVersionsSchema.optional(),
      })
      .strict(),
  )
  .min(1, 'must list at least one target')
  .max(MAX_TARGETS, {
    error: (issue) =>
      `lists ${Array.isArray(issue.input) ? issue.input.length : 'too many'} targets; at most ${MAX_TARGETS} allowed (split the rollout)`,
  });

export const TARGET_KEYS: readonly string[] = ['platform', 'organisation', 'targetVersions'];

const organisationProblem = (platform: unknown, org: unknown): string | undefined =>
  isPlatformName(platform) && typeof org === 'string' && org.length > 0
    ? descriptorOf(platform).organisation.problem(org)
    : undefined;

/**
 * `platform` + `organisation` or `targets`, not both; each organisation in its
 * platform's form, none twice. A rollout over several targets selects by `match`: a
 * list of cluster ids (`clusters`) would not say on which platform each id is.
 */
export function targetProblems(spec: Record<string, unknown>): SpecProblem[] {
  const problems: SpecProblem[] = [];
  if (spec.targets === undefined) {
    if (spec.platform === undefined)
      problems.push({ field: 'platform', message: `missing (required): must be one of ${PLATFORMS.join(', ')}` });
    if (spec.organisation === undefined) problems.push({ field: 'organisation', message: 'missing (required)' });
    const problem = organisationProblem(spec.platform, spec.organisation);
    if (problem) problems.push({ field: 'organisation', message: problem });
    return problems;
  }
  for (const field of ['platform', 'organisation'] as const) {
    if (spec[field] !== undefined)
      problems.push({ field, message: 'set targets, or platform and organisation, not both' });
  }
  if (!Array.isArray(spec.targets)) return problems;
  const seen = new Set<string>();
  spec.targets.forEach((raw: unknown, index) => {
    if (!raw || typeof raw !== 'object') return;
    const { platform, organisation } = raw as Record<string, unknown>;
    const problem = organisationProblem(platform, organisation);
    if (problem) problems.push({ field: `targets[${index}].organisation`, message: problem });
    if (!isPlatformName(platform) || typeof organisation !== 'string' || problem) return;
    const key = `${platform}/${descriptorOf(platform).organisation.normalise(organisation)}`;
    if (seen.has(key))
      problems.push({
        field: `targets[${index}]`,
        message: `${platform} organisation ${quote(organisation)} is listed twice`,
      });
    seen.add(key);
  });
  if (spec.clusters !== undefined)
    problems.push({
      field: 'clusters',
      message:
        'not with targets: select clusters with a wave\'s match (e.g. {"name": "web-*"}) or start one rollout per organisation',
    });
  if (Array.isArray(spec.waves)) {
    spec.waves.forEach((wave: unknown, index) => {
      if (wave && typeof wave === 'object' && (wave as Record<string, unknown>).clusters !== undefined)
        problems.push({
          field: `waves[${index}].clusters`,
          message: 'not with targets: select clusters with match (e.g. {"name": "web-*"})',
        });
    });
  }
  return problems;
}

/** The platforms a spec names (for checks of selectors' `platform`), whichever way it names them. */
export function platformsOf(spec: Record<string, unknown>): PlatformName[] {
  const named = Array.isArray(spec.targets)
    ? spec.targets.map((t: unknown) =>
        t && typeof t === 'object' ? (t as Record<string, unknown>).platform : undefined,
      )
    : [spec.platform];
  return [...new Set(named.filter(isPlatformName))];
}

/** The targets of a valid spec, organisations normalised. */
export function targetsOf(spec: {
  readonly platform?: PlatformName;
  readonly organisation?: string;
  readonly targets?: readonly {
    readonly platform: PlatformName;
    readonly organisation: string;
    readonly targetVersions?: TargetVersions;
  }[];
}): RolloutTarget[] {
  const written = spec.targets ?? [{ platform: spec.platform!, organisation: spec.organisation! }];
  return written.map((t) => ({
    platform: t.platform,
    organisation: descriptorOf(t.platform).organisation.normalise(t.organisation),
    ...('targetVersions' in t && t.targetVersions ? { targetVersions: normaliseTargetVersions(t.targetVersions) } : {}),
  }));
}
