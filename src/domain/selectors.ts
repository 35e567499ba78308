/**
 * Selecting clusters the way operators group them (**contract**: the spec's `match` and
 * `exclude`). A selector names fields of a cluster; every field given must hold, a list
 * means any of its values, `name` values are globs (`*` any run of characters, `?` one).
 * Values compare without regard to case: `Staging` selects `staging`.
 *
 * Waves take clusters in order: a wave with `match` takes the matching clusters no
 * earlier wave took, and `size` cuts that set to its first clusters in inventory order.
 * Who took a cluster is decided by `waveOf` from the cluster alone, its position in the
 * inventory and each earlier wave's cut-off position, so each wave can read the fleet a
 * page at a time and every reader (planning, each wave) agrees. Pure: planning, the
 * page reader and the CLI share it; workflows do not need it.
 */
import { didYouMean } from './suggest.js';

/** The fields a selector may name (**contract**). */
export const SELECTOR_FIELDS = ['platform', 'organisation', 'environment', 'region', 'cloudProvider', 'name'] as const;
export type SelectorField = (typeof SELECTOR_FIELDS)[number];

/** A selector as the spec writes it: a value or a list of values per field. */
export type ClusterSelector = Partial<Record<SelectorField, string | readonly string[]>>;

/** What a selector looks at. */
export interface SelectableCluster {
  readonly id: string;
  readonly name: string;
  readonly platform: string;
  readonly organisation: string;
  readonly environment?: string;
  readonly region?: string;
  readonly cloudProvider?: string;
}

/** `*` and `?` as a whole-string, case-insensitive pattern; every other character as itself. */
export function globToRegExp(glob: string): RegExp {
  const body = [...glob]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'i');
}

const listOf = (value: string | readonly string[] | undefined): readonly string[] =>
  value === undefined ? [] : typeof value === 'string' ? [value] : value;

export type Matcher = (cluster: SelectableCluster) => boolean;

/** A selector compiled once (globs and lower-cased values), applied to many clusters. */
export function compileSelector(selector: ClusterSelector): Matcher {
  const tests: Matcher[] = [];
  for (const field of SELECTOR_FIELDS) {
    const values = listOf(selector[field]);
    if (values.length === 0) continue;
    if (field === 'name') {
      const patterns = values.map(globToRegExp);
      tests.push((c) => patterns.some((p) => p.test(c.name)));
    } else {
      const wanted = new Set(values.map((v) => v.toLowerCase()));
      tests.push((c) => {
        const value = c[field];
        return value !== undefined && wanted.has(value.toLowerCase());
      });
    }
  }
  return (cluster) => tests.every((test) => test(cluster));
}

/** An `exclude` list: cluster ids and selectors; a cluster matching any of them is left out. */
export function compileExclusions(exclude: readonly (string | ClusterSelector)[] | undefined): Matcher {
  if (!exclude || exclude.length === 0) return () => false;
  const ids = new Set(exclude.filter((e): e is string => typeof e === 'string').map((id) => id.toLowerCase()));
  const selectors = exclude.filter((e): e is ClusterSelector => typeof e !== 'string').map(compileSelector);
  return (cluster) => ids.has(cluster.id.toLowerCase()) || selectors.some((matches) => matches(cluster));
}

/** How one wave picks from the inventory. */
export interface WavePick {
  /** Absent: every cluster (a wave without `match`). */
  readonly matches?: Matcher;
  /** A wave of listed clusters takes no cluster from the inventory. */
  readonly listed?: boolean;
  /**
   * Inventory position of the last cluster the wave took when its `size` cut the set
   * short; undefined while unknown or when it took every cluster it matched.
   */
  readonly cutoff?: number;
}

/**
 * The first wave before `upTo` that took this cluster (at inventory `position`), or
 * undefined: a wave takes a cluster it matches unless its size was reached earlier
 * in the inventory (`cutoff`).
 */
export function earlierWaveOf(
  cluster: SelectableCluster,
  position: number,
  waves: readonly WavePick[],
  upTo: number,
): number | undefined {
  for (let index = 0; index < upTo && index < waves.length; index++) {
    const wave = waves[index]!;
    if (wave.listed) continue;
    if (wave.matches && !wave.matches(cluster)) continue;
    if (wave.cutoff === undefined || position <= wave.cutoff) return index;
  }
  return undefined;
}

/** Field values the fleet has, per selector field: what a plan checks a selector's values against. */
export function valuesIn(clusters: Iterable<SelectableCluster>): Record<Exclude<SelectorField, 'name'>, Set<string>> {
  const seen = {
    platform: new Set<string>(),
    organisation: new Set<string>(),
    environment: new Set<string>(),
    region: new Set<string>(),
    cloudProvider: new Set<string>(),
  };
  for (const c of clusters) {
    for (const field of Object.keys(seen) as (keyof typeof seen)[]) {
      const value = c[field];
      if (value !== undefined) seen[field].add(value.toLowerCase());
    }
  }
  return seen;
}

/**
 * Values a selector names that no cluster of the fleet has: a warning in the plan, never
 * silence, with the value of the fleet it most likely meant (`stagin`: did you mean "staging"?).
 */
export function unknownValues(selector: ClusterSelector, fleet: ReturnType<typeof valuesIn>): string[] {
  const warnings: string[] = [];
  for (const field of Object.keys(fleet) as (keyof typeof fleet)[]) {
    for (const value of listOf(selector[field])) {
      if (fleet[field].has(value.toLowerCase())) continue;
      const guess = didYouMean(value.toLowerCase(), fleet[field], (name) => JSON.stringify(name));
      warnings.push(`${field} ${JSON.stringify(value)}: no cluster of the fleet has it${guess ? `; ${guess}` : ''}`);
    }
  }
  return warnings;
}
