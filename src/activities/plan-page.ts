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
import { mustParseVersion, parseVersion, planStep, takesHop } from '../domain/versions.js';
import { nextWindow } from '../domain/windows.js';
import { PlatformApiError } from '../platforms/errors.js';
import type { ClusterSnapshot } from '../platforms/types.js';
import type { ActivityDeps } from './deps.js';
import { withPlatformFailures } from './failures.js';

export interface PlanPageInput {
  readonly platform: PlatformName;
  readonly organisation: string;
  /** The hop to read for; `anyPath` (dry runs) takes every cluster not at the target, whichever hops it needs. */
  readonly hop: { readonly version: string; readonly last: boolean; readonly anyPath?: boolean };
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
}

export interface PlanPage {
  readonly entries: readonly ClusterPlanEntry[];
  /** The next inventory page's cursor; absent after the last (and for `ids`). */
  readonly next?: string;
}

/** The window the platform's scheduler would pick now (see domain/windows.ts); undefined on a platform without windows. */
export function predictWindow(cluster: ClusterSnapshot, options: NonNullable<PlanPageInput['predictWindows']>): ClusterPlanEntry['predictedWindow'] {
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
      let clusters: readonly ClusterSnapshot[];
      let next: string | undefined;
      if (input.ids) {
        const read: ClusterSnapshot[] = [];
        for (const id of input.ids) {
          try {
            read.push(await client.getCluster(input.organisation, id));
          } catch (error) {
            // Gone since planning: nothing to upgrade.
            if (!(error instanceof PlatformApiError && error.status === 404)) throw error;
          }
          Context.current().heartbeat();
        }
        clusters = read;
      } else {
        const page = await client.listClusterPage(input.organisation, input.cursor);
        const excluded = new Set(input.exclude ?? []);
        clusters = page.clusters.filter((c) => !excluded.has(c.id));
        next = page.next;
      }
      const entries = clusters.flatMap((cluster): ClusterPlanEntry[] => {
        const current = parseVersion(cluster.version);
        if (!current) return [];
        if (input.patchOnly && current.minor !== hop.minor) return [];
        if (input.hop.anyPath ? planStep(current, hop).kind !== 'upgrade' : !takesHop(current, hop, input.hop.last)) return [];
        const predicted = input.predictWindows ? predictWindow(cluster, input.predictWindows) : undefined;
        return [{ id: cluster.id, name: cluster.name, version: cluster.version, action: 'upgrade', ...(predicted !== undefined ? { predictedWindow: predicted } : {}) }];
      });
      return { entries, ...(next ? { next } : {}) };
    });
  };
}
