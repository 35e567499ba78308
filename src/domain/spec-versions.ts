/**
 * Where a rollout takes each cluster (**contract**, see docs/spec.md "Target versions"):
 * `targetVersion`, one version (`1.31`, `1.31.4`), `latest-patch` (each cluster to the
 * newest patch of its own minor), or a channel (`stable`, `rapid`); or `targetVersions`,
 * a version per minor, on the spec or on one of its `targets` (a platform without a
 * version catalog, in a `latest-patch` rollout over several).
 */
import { z } from 'zod';
import { CHANNELS, isChannel, LATEST_PATCH } from './channels.js';
import { descriptorOf, isPlatformName } from './platform.js';
import { gotInstead, quote, type SpecProblem } from './spec-messages.js';
import { formatVersion, minorOf, parseVersion } from './versions.js';

/** The words `targetVersion` takes besides a version. */
export const TARGET_KEYWORDS: readonly string[] = [LATEST_PATCH, ...CHANNELS];

/** How many minors one `targetVersions` may name. */
const MAX_MINORS = 20;

export const targetVersionSchema = z
  .string()
  .min(1, 'must not be empty')
  .refine((v) => v.length === 0 || parseVersion(v) !== undefined || TARGET_KEYWORDS.includes(v), {
    error: (issue) =>
      `not a Kubernetes version or one of ${TARGET_KEYWORDS.map((k) => `"${k}"`).join(', ')}: ${gotInstead(issue.input, TARGET_KEYWORDS)} (use e.g. "1.31", "1.31.4" or "latest-patch")`,
  });

// Keys and values are judged by versionTargetProblems, which names each entry.
export const targetVersionsSchema = z.record(z.string(), z.string());

/** A cluster on minor `key` goes to `value`; `value` may be the minor itself (its latest patch). */
export type TargetVersions = Readonly<Record<string, string>>;

/** Whether the rollout picks a version per cluster's minor rather than one for all. */
export const isPerMinor = (spec: { readonly targetVersion?: string; readonly targetVersions?: unknown }): boolean =>
  spec.targetVersion === LATEST_PATCH || spec.targetVersions !== undefined;

/** Every problem of one `targetVersions` map, each naming its entry. */
export function targetVersionsProblems(field: string, raw: unknown): SpecProblem[] {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return [];
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) return [{ field, message: 'must name at least one minor, e.g. {"1.31": "1.31.4"}' }];
  if (entries.length > MAX_MINORS) return [{ field, message: `names ${entries.length} minors; at most ${MAX_MINORS}` }];
  const problems: SpecProblem[] = [];
  for (const [key, value] of entries) {
    const at = `${field}[${JSON.stringify(key)}]`;
    const minor = parseVersion(key);
    if (!minor || minor.patch !== undefined) {
      problems.push({ field: at, message: `the key must be a minor such as "1.31", got ${quote(key)}` });
      continue;
    }
    const version = typeof value === 'string' ? parseVersion(value) : undefined;
    if (!version)
      problems.push({ field: at, message: `must be a version of ${minorOf(minor)} such as "${minorOf(minor)}.4"` });
    else if (minorOf(version) !== minorOf(minor))
      problems.push({
        field: at,
        message: `${formatVersion(version)} is not a ${minorOf(minor)} version (a per-minor target stays within its minor)`,
      });
  }
  return problems;
}

interface WrittenTarget {
  readonly platform?: unknown;
  readonly targetVersions?: unknown;
}

/** The spec's targets as written, with where each is named (`targets[1]`, or the spec's own platform). */
function writtenTargets(spec: Record<string, unknown>): { target: WrittenTarget; field: string }[] {
  if (!Array.isArray(spec.targets)) return [{ target: { platform: spec.platform }, field: 'platform' }];
  return spec.targets.flatMap((raw: unknown, index) =>
    raw && typeof raw === 'object' ? [{ target: raw as WrittenTarget, field: `targets[${index}]` }] : [],
  );
}

/**
 * `targetVersion` xor `targetVersions`; each map's entries; a keyword a platform without a
 * catalog cannot resolve; fields that make no sense beside a per-minor target.
 */
export function versionTargetProblems(spec: Record<string, unknown>): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const { targetVersion, targetVersions } = spec;
  if (targetVersion === undefined && targetVersions === undefined)
    problems.push({
      field: 'targetVersion',
      message: `missing (required): a version ("1.31", "1.31.4"), "latest-patch", "stable" or "rapid"; or targetVersions`,
    });
  if (targetVersion !== undefined && targetVersions !== undefined)
    problems.push({ field: 'targetVersions', message: 'set targetVersion or targetVersions, not both' });
  problems.push(...targetVersionsProblems('targetVersions', targetVersions));
  const perMinor = isPerMinor(spec as { targetVersion?: string; targetVersions?: unknown });
  for (const { target, field } of writtenTargets(spec)) {
    if (target.targetVersions !== undefined) {
      problems.push(...targetVersionsProblems(`${field}.targetVersions`, target.targetVersions));
      if (!perMinor)
        problems.push({
          field: `${field}.targetVersions`,
          message: 'only in a per-minor rollout ("targetVersion": "latest-patch", or targetVersions on the spec)',
        });
    }
    problems.push(...catalogProblems(spec, target, field));
  }
  if (perMinor && spec.patchOnly === true)
    problems.push({
      field: 'patchOnly',
      message: 'a per-minor target keeps every cluster on its minor: remove patchOnly',
    });
  if (perMinor && typeof spec.maxHops === 'number' && spec.maxHops > 1)
    problems.push({ field: 'maxHops', message: 'a per-minor target keeps every cluster on its minor: remove maxHops' });
  return problems;
}

/** A keyword resolves against the platform's catalog; a platform without one needs versions written out. */
function catalogProblems(spec: Record<string, unknown>, target: WrittenTarget, field: string): SpecProblem[] {
  const { targetVersion } = spec;
  if (typeof targetVersion !== 'string' || !isPlatformName(target.platform)) return [];
  const descriptor = descriptorOf(target.platform);
  if (descriptor.versionCatalog) return [];
  const where = field === 'platform' ? '' : ` (${field})`;
  if (targetVersion === LATEST_PATCH && target.targetVersions === undefined)
    return [
      {
        field: 'targetVersion',
        message:
          `${descriptor.label}${where} lists no versions to find the latest patch in: ` +
          (field === 'platform'
            ? 'give targetVersions instead, e.g. {"1.31": "1.31.4"}'
            : `give ${field} its targetVersions, e.g. {"1.31": "1.31.4"}`),
      },
    ];
  if (isChannel(targetVersion))
    return [
      {
        field: 'targetVersion',
        message: `${descriptor.label}${where} lists no versions, so it has no "${targetVersion}" channel: give a version or targetVersions`,
      },
    ];
  return [];
}

/** The spec's target as views show it: the version or keyword, or the per-minor versions. */
export function targetVersionLabel(targetVersion: string | undefined, targetVersions?: TargetVersions): string {
  if (targetVersion !== undefined) {
    const version = parseVersion(targetVersion);
    return version ? formatVersion(version) : targetVersion;
  }
  return Object.values(targetVersions ?? {})
    .map((v) => formatVersion(parseVersion(v)!))
    .join(', ');
}

/** A valid map, keys and values normalised (`v1.31` -> `1.31`). */
export function normaliseTargetVersions(map: TargetVersions): TargetVersions {
  return Object.fromEntries(
    Object.entries(map).map(([key, value]) => [formatVersion(parseVersion(key)!), formatVersion(parseVersion(value)!)]),
  );
}
