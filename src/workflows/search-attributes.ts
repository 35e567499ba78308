/**
 * Typed search attribute keys (**contract**: the Temporal UI filters in the README use
 * these names and values). Registered on the server by the dev-server harness and
 * docker-compose. Imported by workflows (to upsert) and by the harness (to register),
 * so it depends on `@temporalio/common` only.
 *
 * Rollouts (`fleetRollout`) carry FleetRolloutId, FleetPlatform, FleetOrganisation,
 * FleetTargetVersion (as asked: `1.31`), FleetPhase, FleetProgressPercent and
 * FleetFailedClusters; a rollout over several targets also FleetPlatforms (every
 * platform it spans), and FleetPlatform/FleetOrganisation are then its first target's.
 * Cluster upgrades (`clusterUpgrade`) carry FleetRolloutId, FleetClusterId, FleetPlatform,
 * FleetTargetVersion (in the platform's spelling) and FleetPhase.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** A typed key (`@temporalio/common` defines the type but does not export it). */
export type FleetSearchAttributeKey = ReturnType<typeof defineSearchAttributeKey>;

export const FleetRolloutId = defineSearchAttributeKey('FleetRolloutId', SearchAttributeType.KEYWORD);
export const FleetPlatform = defineSearchAttributeKey('FleetPlatform', SearchAttributeType.KEYWORD);
export const FleetOrganisation = defineSearchAttributeKey('FleetOrganisation', SearchAttributeType.KEYWORD);
/** Rollouts over several targets: every platform they span (`FleetPlatforms = "aether"` finds them). */
export const FleetPlatforms = defineSearchAttributeKey('FleetPlatforms', SearchAttributeType.KEYWORD_LIST);
export const FleetTargetVersion = defineSearchAttributeKey('FleetTargetVersion', SearchAttributeType.KEYWORD);
export const FleetClusterId = defineSearchAttributeKey('FleetClusterId', SearchAttributeType.KEYWORD);
/** What the workflow is doing now: one of FLEET_ROLLOUT_PHASES for rollouts, of FLEET_CLUSTER_PHASES for clusters. */
export const FleetPhase = defineSearchAttributeKey('FleetPhase', SearchAttributeType.KEYWORD);

/**
 * Rollouts: percent of the fleet's clusters that have ended (any outcome, at the target
 * already included), 0..100; 100 once the rollout has ended.
 */
export const FleetProgressPercent = defineSearchAttributeKey('FleetProgressPercent', SearchAttributeType.INT);
/**
 * Rollouts: clusters that ended FAILED, MISSED or SUPERSEDED (the ones `retryCluster`
 * takes), so `FleetFailedClusters > 0` finds trouble.
 */
export const FleetFailedClusters = defineSearchAttributeKey('FleetFailedClusters', SearchAttributeType.INT);

export const FLEET_SEARCH_ATTRIBUTES = [
  FleetRolloutId,
  FleetPlatform,
  FleetPlatforms,
  FleetOrganisation,
  FleetTargetVersion,
  FleetClusterId,
  FleetPhase,
  FleetProgressPercent,
  FleetFailedClusters,
] as const;

/**
 * What a rollout over `targets` targets needs registered: what it and the children it
 * starts set. FleetPlatforms only over several targets, so a namespace set up before it
 * existed runs single-target rollouts as before.
 */
export const rolloutSearchAttributes = (targets: number) =>
  FLEET_SEARCH_ATTRIBUTES.filter((key) => targets > 1 || key !== FleetPlatforms);

/** What a cluster upgrade (`clusterUpgrade`) sets. */
export const CLUSTER_SEARCH_ATTRIBUTES = [
  FleetRolloutId,
  FleetClusterId,
  FleetPlatform,
  FleetTargetVersion,
  FleetPhase,
] as const;

/**
 * A rollout's FleetPhase (**contract**), in the order a rollout usually passes them.
 * Not the `progress` query's `phase`: this one says at a glance in a list what an
 * operator needs to know, so a pause and the way a rollout ended are phases here.
 */
export const FLEET_ROLLOUT_PHASES = {
  planning: 'reading versions and the inventory, checking every cluster can move (a dry run stays here until it ends)',
  'awaiting-approval': "a wave's approval gate waits for `approve`",
  upgrading: 'clusters of the current wave are upgrading (the current details name the wave)',
  frozen:
    'a freeze period is in force: no cluster starts until it lifts (the current details say why and until when); running ones carry on',
  soaking: 'waiting after a wave (or between hops) before the next one starts',
  'checking-gate': "a wave's gate analyses the wave (after it and its soak) before the next one starts",
  paused:
    'an operator (or a failed wave gate with onFail "pause") paused it: no new cluster starts until `resume`; running ones carry on',
  compensating:
    'halted or aborted: withdrawing or restoring upgrades that have not begun, waiting for the ones that have',
  done: 'ended without a stop: every cluster upgraded, at the target or skipped, or some failed (see FleetFailedClusters)',
  halted: 'ended: a failure budget was exceeded',
  aborted: 'ended: an operator (or an expired approval gate) aborted it',
} as const;

export type FleetRolloutPhase = keyof typeof FLEET_ROLLOUT_PHASES;

/**
 * A cluster upgrade's FleetPhase (**contract**): where it is, then how it ended (its
 * outcome in lower case: `succeeded`, `failed`, `missed`, `superseded`, `blocked`, `cancelled`,
 * `not_started`).
 */
export const FLEET_CLUSTER_PHASES = [
  'pre-checking',
  'requesting',
  'scheduling',
  'waiting-window',
  'upgrading',
  'verifying',
  'checking-health',
  'compensating',
] as const;
