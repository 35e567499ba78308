/**
 * The Kubernetes versions the simulated platforms offer: one table shared by both
 * dialects, so a rollout plan means the same thing on either. Avisi spells each as an
 * AME build (`v1.30.4-u-ame.3`, what `GET /cluster-versions` lists and what a POST must
 * name); Aether spells it plain (`1.30.4`). Older patches are kept so that fleets start
 * behind the latest patch of their minor.
 */
import {
  compareVersions,
  formatVersion,
  latestPatchOf,
  minorOf,
  mustParseVersion,
  parseVersion,
  type KubeVersion,
} from '../domain/versions.js';

export interface CatalogVersion {
  /** Plain Kubernetes version, `1.30.4`. */
  readonly plain: string;
  /** Avisi's AME build string, `v1.30.4-u-ame.3`. */
  readonly ame: string;
  readonly version: KubeVersion;
}

const TABLE: ReadonlyArray<readonly [plain: string, ameBuild: number]> = [
  ['1.28.12', 2],
  ['1.28.15', 1],
  ['1.29.10', 4],
  ['1.29.14', 1],
  ['1.30.4', 3],
  ['1.30.8', 2],
  ['1.30.10', 1],
  ['1.31.2', 2],
  ['1.31.4', 1],
  ['1.31.6', 1],
  ['1.32.0', 2],
  ['1.32.2', 1],
];

export const CATALOG: readonly CatalogVersion[] = TABLE.map(([plain, build]) => ({
  plain,
  ame: `v${plain}-u-ame.${build}`,
  version: mustParseVersion(plain),
})).sort((a, b) => compareVersions(a.version, b.version));

export const OFFERED_MINORS: readonly string[] = [...new Set(CATALOG.map((entry) => minorOf(entry.version)))];

/** The catalog entry whose AME string is exactly `ame` (Avisi POSTs must name one). */
export function findByAme(ame: string): CatalogVersion | undefined {
  return CATALOG.find((entry) => entry.ame === ame);
}

/** The catalog entry for a plain `1.30.4`, or the latest patch for a minor `1.30`. */
export function resolvePlain(text: string): CatalogVersion | undefined {
  const version = parseVersion(text);
  if (!version) return undefined;
  if (version.patch === undefined) return latestPatchOf(CATALOG, version);
  return CATALOG.find((entry) => compareVersions(entry.version, version) === 0);
}

export function patchesOf(minor: string): readonly CatalogVersion[] {
  return CATALOG.filter((entry) => minorOf(entry.version) === minor);
}

/**
 * A cluster's running version, from a fleet file: an offered version (plain, minor or
 * AME) maps to its catalog entry; any other parseable version is kept as given, with a
 * synthesised AME spelling, so a fleet can start on a version no longer offered.
 */
export function versionForFleet(text: string): CatalogVersion {
  const parsed = mustParseVersion(text);
  const offered = findByAme(text.trim()) ?? resolvePlain(text.trim().replace(/^v/, '').split('-')[0] ?? '');
  if (offered) return offered;
  const plain = formatVersion(parsed.patch === undefined ? { ...parsed, patch: 0 } : parsed);
  const ame = text.trim().includes('-') ? text.trim() : `v${plain}-u-ame.1`;
  return { plain, ame, version: mustParseVersion(plain) };
}
