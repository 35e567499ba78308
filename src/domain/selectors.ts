/**
 * Selecting clusters the way operators group them (**contract**: the spec's `match` and
 * `exclude`). A selector names fields of a cluster; every field given must hold, a list
 * means any of its values, `name` and `updateChannel` values are globs (`*` any run of
 * characters, `?` one). Values compare without regard to case: `Staging` selects `staging`.
 * `autoUpgrade` is a boolean, not text: `true` takes the clusters the platform upgrades itself.
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
export const SELECTOR_FIELDS = [
  'platform',
  'organisation',
  'environment',
  'region',
  'cloudProvider',
  'name',
  'updateChannel',
  'autoUpgrade',
] as const;
export type SelectorField = (typeof SELECTOR_FIELDS)[number];
/** The fields whose values are text; `autoUpgrade` alone is a boolean. */
export type TextSelectorField = Exclude<SelectorField, 'autoUpgrade'>;
/** Text fields whose values are globs: a cluster's own names, where a family (`v1.3*`, `web-*`) is common. */
const GLOB_FIELDS: ReadonlySet<SelectorField> = new Set(['name', 'updateChannel']);

/** A selector as the spec writes it: a value or a list of values per text field, a boolean for `autoUpgrade`. */
export type ClusterSelector = Partial<Record<TextSelectorField, string | readonly string[]>> & {
  readonly autoUpgrade?: boolean;
};

/** What a selector looks at. */
export interface SelectableCluster {
  readonly id: string;
  readonly name: string;
  readonly platform: string;
  readonly organisation: string;
  readonly environment?: string;
  readonly region?: string;
  readonly cloudProvider?: string;
  /** Avisi: the name of the cluster's update channel (`v1.31`). */
  readonly updateChannel?: string;
  /** Avisi: whether the platform upgrades the cluster itself. */
  readonly autoUpgrade?: boolean;
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
  const { autoUpgrade } = selector;
  // A cluster whose platform has no such flag (Aether) matches neither true nor false.
  if (autoUpgrade !== undefined) tests.push((c) => c.autoUpgrade === autoUpgrade);
  for (const field of SELECTOR_FIELDS) {
    if (field === 'autoUpgrade') continue;
    const values = listOf(selector[field]);
    if (values.length === 0) continue;
    if (GLOB_FIELDS.has(field)) {
      const patterns = values.map(globToRegExp);
      tests.push((c) => {
        const value = c[field];
        return value !== undefined && patterns.some((p) => p.test(value));
      });
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

/**
 * Field values the fleet has, per selector field but `name` (`autoUpgrade` as `true`/`false`):
 * what a plan checks a selector's values against.
 */
export function valuesIn(clusters: Iterable<SelectableCluster>): Record<Exclude<SelectorField, 'name'>, Set<string>> {
  const seen = {
    platform: new Set<string>(),
    organisation: new Set<string>(),
    environment: new Set<string>(),
    region: new Set<string>(),
    cloudProvider: new Set<string>(),
    updateChannel: new Set<string>(),
    autoUpgrade: new Set<string>(),
  };
  for (const c of clusters) {
    for (const field of Object.keys(seen) as (keyof typeof seen)[]) {
      const value = c[field];
      if (value !== undefined) seen[field].add(String(value).toLowerCase());
    }
  }
  return seen;
}

/**
 * Values a selector names that no cluster of the fleet has (a glob: that no value of the
 * fleet matches): a warning in the plan, never silence, with the value of the fleet it
 * most likely meant (`stagin`: did you mean "staging"?).
 */
export function unknownValues(selector: ClusterSelector, fleet: ReturnType<typeof valuesIn>): string[] {
  const warnings: string[] = [];
  for (const field of Object.keys(fleet) as (keyof typeof fleet)[]) {
    const given = field === 'autoUpgrade' ? selector.autoUpgrade : selector[field];
    for (const value of typeof given === 'boolean' ? [given] : listOf(given)) {
      const text = String(value).toLowerCase();
      const pattern = GLOB_FIELDS.has(field) ? globToRegExp(text) : undefined;
      if (pattern ? [...fleet[field]].some((v) => pattern.test(v)) : fleet[field].has(text)) continue;
      const guess = didYouMean(text, fleet[field], (name) => JSON.stringify(name));
      warnings.push(`${field} ${JSON.stringify(value)}: no cluster of the fleet has it${guess ? `; ${guess}` : ''}`);
    }
  }
  return warnings;
}
