/**
 * `DryRunListing`: what a dry run read, wave by wave: how many clusters, and when their
 * first maintenance windows open (the forecast's). Owned by the rollout's state (state.ts).
 * A dry run never continues as new, so nothing here is carried.
 */
import type { ClusterPlanEntry } from '../../domain/report.js';

export class DryRunListing {
  private listedCount = 0;
  /** When each wave's clusters' first maintenance windows open, by wave index. */
  readonly waveWindows = new Map<number, { earliest: number; latest: number }>();

  /** Clusters read (the report lists at most MAX_REPORTED_CLUSTERS of them). */
  get count(): number {
    return this.listedCount;
  }

  /** A cluster read for wave `index`. */
  listed(index: number, entry: ClusterPlanEntry): void {
    this.listedCount++;
    const opens = entry.predictedWindow ? Date.parse(entry.predictedWindow.start) : NaN;
    if (Number.isNaN(opens)) return;
    const span = this.waveWindows.get(index);
    this.waveWindows.set(index, {
      earliest: Math.min(opens, span?.earliest ?? opens),
      latest: Math.max(opens, span?.latest ?? opens),
    });
  }
}
