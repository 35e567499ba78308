/**
 * `readPlanPage`: the clusters of one inventory page (or of a batch of listed ids) that
 * take part in one hop, as plan entries. The rollout reads its fleet this way, a page at
 * a time as its waves need clusters, so no payload grows with the fleet.
 *
 * A cluster that changed since planning is re-judged here: one already at the hop's
 * version, or too far behind (it failed an earlier hop), is left out.
 */
import { Context } from '@temporalio/activity';
import type { PlatformName } from '../domain/platform.js';
import type { ClusterPlanEntry } from '../domain/report.js';
import { minorOf, mustParseVersion, parseVersion, planStep, takesHop, type KubeVersion } from '../domain/versions.js';
import { nextWindow } from '../domain/windows.js';
import { PlatformApiError } from '../platforms/errors.js';
import type { ClusterSnapshot } from '../platforms/types.js';
import { compileExclusions, compileSelector, type ClusterSelector, type WavePick } from '../domain/selectors.js';
import type { Exclusion } from '../domain/spec-selectors.js';
import { takeFromPage, type Positioned } from '../domain/wave-selection.js';
import type { ActivityDeps } from './deps.js';
import { withPlatformFailures } from './failures.js';
import type { MinorTargets } from './plan-hops.js';
import { selectable } from './plan-targeting.js';

export interface PlanPageInput {
  readonly platform: PlatformName;
  readonly organisation: string;
  /** The hop to read for; `anyPath` (dry runs) takes every cluster not at the target, whichever hops it needs. */
  readonly hop: {
    readonly version: string;
    readonly last: boolean;
    readonly anyPath?: boolean;
    /** A per-minor pass: each minor's target; a cluster moves to its own minor's, named in its entry's `to`. */
    readonly minors?: MinorTargets;
  };
  /** Read these clusters by id (a wave's list, or the spec's `clusters`), instead of an inventory page. */
  readonly ids?: readonly string[];
  /** The inventory page to read (`listClusterPage`'s cursor); absent: the first. */
  readonly cursor?: string;
  /** Left out of an inventory page: the clusters waves list by id, and those an operator skipped. */
  readonly exclude?: readonly string[];
  /** Only clusters on the hop's minor (a `patchOnly` rollout, which has one hop). */
  readonly patchOnly?: boolean;
  /** Dry runs: predict each cluster's first window as the platform's scheduler would pick it. */
  readonly predictWindows?: { readonly scheduleRequestDate?: string; readonly ignoreMaintenanceSchedule: boolean };
  /** The spec's `exclude`: clusters never touched. */
  readonly excludeMatching?: readonly Exclusion[];
  /**
   * A wave with `match` reading the inventory for itself: the clusters `wave` takes from
   * this page (at most `take`), given every wave's selector and the cut-offs of those
   * before it (see domain/wave-selection.ts). `position`: the inventory position of the
   * page's first cluster (or of the first id).
   */
  readonly select?: {
    readonly waves: readonly {
      readonly match?: ClusterSelector;
      readonly listed?: boolean;
      readonly cutoff?: number;
    }[];
    readonly wave: number;
    readonly take: number;
    readonly position: number;
  };
}

export interface PlanPage {
  readonly entries: readonly ClusterPlanEntry[];
  /** The next inventory page's cursor; absent after the last (and for `ids`). */
  readonly next?: string;
  /** With `select`: how many positions the page covered (every cluster listed, or every id asked for). */
  readonly seen?: number;
  /** With `select`: the position of the cluster with which the wave reached `take`. */
  readonly cutoff?: number;
}

/**
 * The window the platform's scheduler would pick now (see domain/windows.ts); undefined on a
 * platform without windows.
 */
export function predictWindow(
  cluster: ClusterSnapshot,
  options: NonNullable<PlanPageInput['predictWindows']>,
): ClusterPlanEntry['predictedWindow'] {
  if (!cluster.maintenanceWindows) return undefined;
  const from = options.scheduleRequestDate ? Date.parse(options.scheduleRequestDate) : Date.now();
  if (options.ignoreMaintenanceSchedule) return { start: new Date(from).toISOString() };
  const window = nextWindow(cluster.maintenanceWindows, from);
  return window ? { start: new Date(window.start).toISOString(), end: new Date(window.end).toISOString() } : null;
}

export function createReadPlanPage(deps: ActivityDeps) {
  return async function readPlanPage(input: PlanPageInput): Promise<PlanPage> {
    return withPlatformFailures(async () => {
      const client = deps.clientFor(input.platform);
      const hop = mustParseVersion(input.hop.version);
      /** The clusters read, each at its place in the reading (ids: its index in the list asked for). */
      let read: { cluster: ClusterSnapshot; at: number }[];
      let next: string | undefined;
      let seen: number;
      if (input.ids) {
        read = [];
        for (const [at, id] of input.ids.entries()) {
          try {
            read.push({ cluster: await client.getCluster(input.organisation, id), at });
          } catch (error) {
            // Gone since planning: nothing to upgrade.
            if (!(error instanceof PlatformApiError && error.status === 404)) throw error;
          }
          Context.current().heartbeat();
        }
        seen = input.ids.length;
      } else {
        const page = await client.listClusterPage(input.organisation, input.cursor);
        read = page.clusters.map((cluster, at) => ({ cluster, at }));
        next = page.next;
        seen = page.clusters.length;
      }
      const listed = new Set(input.exclude ?? []);
      const isExcluded = compileExclusions(input.excludeMatching);
      const candidates = read.filter(
        ({ cluster }) =>
          !listed.has(cluster.id) && !isExcluded(selectable(cluster, input.platform, input.organisation)),
      );
      const minors = input.hop.minors;
      const moves = (cluster: ClusterSnapshot): boolean => {
        const current = parseVersion(cluster.version);
        if (!current) return false;
        // A per-minor pass: behind its own minor's target (a minor without one is left alone).
        if (minors) return minorMoves(current, minors);
        if (input.patchOnly && current.minor !== hop.minor) return false;
        return input.hop.anyPath ? planStep(current, hop).kind === 'upgrade' : takesHop(current, hop, input.hop.last);
      };
      const entry = (cluster: ClusterSnapshot): ClusterPlanEntry => {
        const predicted = input.predictWindows ? predictWindow(cluster, input.predictWindows) : undefined;
        const to = minors && minors[minorOf(mustParseVersion(cluster.version))];
        return {
          id: cluster.id,
          name: cluster.name,
          version: cluster.version,
          action: 'upgrade',
          ...(to ? { to: { version: to.version, requestVersion: to.requestVersion } } : {}),
          ...(predicted !== undefined ? { predictedWindow: predicted } : {}),
        };
      };
      if (!input.select)
        return {
          entries: candidates.filter((r) => moves(r.cluster)).map((r) => entry(r.cluster)),
          ...(next ? { next } : {}),
        };

      const select = input.select;
      const picks: WavePick[] = select.waves.map((w) => ({
        ...(w.match ? { matches: compileSelector(w.match) } : {}),
        ...(w.listed ? { listed: true } : {}),
        ...(w.cutoff !== undefined ? { cutoff: w.cutoff } : {}),
      }));
      const byId = new Map(candidates.map((r) => [r.cluster.id, r.cluster]));
      const page: Positioned[] = candidates.map((r) => ({
        cluster: selectable(r.cluster, input.platform, input.organisation),
        position: select.position + r.at,
      }));
      const taken = takeFromPage(page, picks, select.wave, select.take, (c) => moves(byId.get(c.id)!));
      return {
        entries: taken.taken.map((p) => entry(byId.get(p.cluster.id)!)),
        ...(next ? { next } : {}),
        seen,
        ...(taken.cutoff !== undefined ? { cutoff: taken.cutoff } : {}),
      };
    });
  };
}

/** Whether a cluster running `current` is behind its own minor's target in a per-minor pass. */
function minorMoves(current: KubeVersion, minors: MinorTargets): boolean {
  const to = minors[minorOf(current)];
  if (!to) return false;
  const step = planStep(current, mustParseVersion(to.version));
  return step.kind === 'upgrade' && step.hops === 0;
}
