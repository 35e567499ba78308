/**
 * One organisation on one platform: where a rollout runs (the spec's `platform` and
 * `organisation`, or each of its `targets`). Pure and tiny: workflow code imports it.
 */
import type { PlatformName } from './platform.js';

export interface RolloutTarget {
  readonly platform: PlatformName;
  /** As the platform's descriptor normalises it (Aether UUIDs lower-cased). */
  readonly organisation: string;
  /** In a per-minor rollout: this target's version per minor (`{"1.31": "1.31.4"}`), over the spec's. */
  readonly targetVersions?: Readonly<Record<string, string>>;
}

/** Where a rollout runs, as people read it: `avisi/acme`, or `aether/2489e9ad-… + avisi/acme`. */
export const targetsLabel = (
  targets: readonly { readonly platform: string; readonly organisation: string }[],
): string => targets.map((t) => `${t.platform}/${t.organisation}`).join(' + ');
