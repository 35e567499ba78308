/**
 * Planning's part in targeting (the spec's `exclude`, a wave's `match`, `unmatched`):
 * which clusters are left out, how the waves divide each hop's clusters, which clusters
 * no wave takes, and what a selector names that the fleet does not have. Over the whole
 * inventory, which planning reads anyway; the waves then read it a page at a time and
 * take what this computed (see domain/wave-selection.ts).
 */
import type { ClusterSample } from '../domain/report.js';
import type { ClusterSelector, SelectableCluster } from '../domain/selectors.js';
import { compileSelector, unknownValues, valuesIn } from '../domain/selectors.js';
import type { Exclusion } from '../domain/spec-selectors.js';
import type { CountOrPercent } from '../domain/spec.js';
import { selectWaves, type Positioned, type SelectingWave } from '../domain/wave-selection.js';
import type { ClusterSnapshot } from '../platforms/types.js';

/** How the spec's waves select, as planning and the page reader need it. */
export interface WaveSelection {
  readonly name: string;
  readonly match?: ClusterSelector;
  /** A wave of listed clusters (read by id). */
  readonly listed?: boolean;
  readonly size?: CountOrPercent;
}

export interface SelectionInput {
  readonly waves: readonly WaveSelection[];
  readonly unmatched: 'refuse' | 'skip';
}

/** How many clusters a sample names. */
export const SAMPLE_SIZE = 20;
/** How many a refusal names. */
const NAMED_IN_A_REFUSAL = 5;

export const sampleOf = (clusters: readonly { readonly id: string; readonly name: string }[]): ClusterSample => ({
  count: clusters.length,
  clusters: clusters.slice(0, SAMPLE_SIZE).map(({ id, name }) => ({ id, name })),
});

/** A cluster as selectors see it. */
export const selectable = (cluster: ClusterSnapshot, platform: string, organisation: string): SelectableCluster => ({
  id: cluster.id,
  name: cluster.name,
  platform,
  organisation,
  ...(cluster.environment !== undefined ? { environment: cluster.environment } : {}),
  ...(cluster.region !== undefined ? { region: cluster.region } : {}),
  ...(cluster.cloudProvider !== undefined ? { cloudProvider: cluster.cloudProvider } : {}),
  // Avisi's own model: the channel by its name (`v1.31`), as operators write it in a selector.
  ...(cluster.updateChannel !== undefined ? { updateChannel: cluster.updateChannel.name } : {}),
  ...(cluster.autoUpgrade !== undefined ? { autoUpgrade: cluster.autoUpgrade } : {}),
});

export const selectingWaves = (waves: readonly WaveSelection[]): SelectingWave[] =>
  waves.map((w) => ({
    ...(w.match ? { matches: compileSelector(w.match) } : {}),
    ...(w.listed ? { listed: true } : {}),
    ...(w.size !== undefined ? { size: w.size } : {}),
  }));

/**
 * Selectors that take nothing, or name values no cluster has. A wave whose `match`
 * matches no cluster of the fleet is a problem (a typo would otherwise upgrade nothing
 * in silence); a value no cluster has, in a selector that still matches, is a warning.
 */
export function selectorFindings(
  fleet: readonly SelectableCluster[],
  excludedFleet: readonly SelectableCluster[],
  waves: readonly WaveSelection[],
  exclude: readonly Exclusion[] | undefined,
): { problems: string[]; warnings: string[] } {
  const problems: string[] = [];
  const warnings: string[] = [];
  const values = valuesIn([...fleet, ...excludedFleet]);
  waves.forEach((wave, index) => {
    if (!wave.match) return;
    const unknown = unknownValues(wave.match, values).map((w) => `waves[${index}] (${wave.name}).match ${w}`);
    const matches = compileSelector(wave.match);
    if (!fleet.some(matches))
      problems.push(
        `waves[${index}] (${wave.name}): match selects no cluster of the fleet${unknown.length > 0 ? ` (${unknown.map((u) => u.replace(/^.*\.match /, '')).join('; ')})` : ''}`,
      );
    else warnings.push(...unknown);
  });
  (exclude ?? []).forEach((entry, index) => {
    if (typeof entry !== 'string') warnings.push(...unknownValues(entry, values).map((w) => `exclude[${index}] ${w}`));
  });
  return { problems, warnings };
}

/**
 * The waves' sizes for one hop (`inPlay`: the clusters this hop upgrades, listed ones
 * excluded, at their inventory positions; `total` with listed ones), with `rest` last
 * when a wave that takes the rest was cut short.
 */
export function waveSizes(
  inPlay: readonly Positioned[],
  waves: readonly WaveSelection[],
  total: number,
): { sizes: number[]; unmatched: readonly Positioned[] } {
  const selection = selectWaves(inPlay, selectingWaves(waves), total);
  return {
    sizes: [...selection.sizes, ...(selection.rest > 0 ? [selection.rest] : [])],
    unmatched: selection.unmatched,
  };
}

/** Why the plan is refused when clusters match no wave (and `unmatched` is not "skip"). */
export function unmatchedProblem(unmatched: readonly Positioned[]): string {
  const named = unmatched
    .slice(0, NAMED_IN_A_REFUSAL)
    .map((p) => p.cluster.name)
    .join(', ');
  const more = unmatched.length > NAMED_IN_A_REFUSAL ? `, and ${unmatched.length - NAMED_IN_A_REFUSAL} more` : '';
  return `${unmatched.length} cluster${unmatched.length === 1 ? '' : 's'} match no wave (${named}${more}): add a wave that takes them, exclude them, or set "unmatched": "skip"`;
}
