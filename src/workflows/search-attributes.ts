/**
 * Typed search attribute keys (**contract**: the Temporal UI filters in the README use
 * these names). Registered on the server by the dev-server harness and docker-compose.
 * Imported by workflows (to upsert) and by the harness (to register), so it depends on
 * `@temporalio/common` only.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const FleetRolloutId = defineSearchAttributeKey('FleetRolloutId', SearchAttributeType.KEYWORD);
export const FleetPlatform = defineSearchAttributeKey('FleetPlatform', SearchAttributeType.KEYWORD);
export const FleetOrganisation = defineSearchAttributeKey('FleetOrganisation', SearchAttributeType.KEYWORD);
export const FleetTargetVersion = defineSearchAttributeKey('FleetTargetVersion', SearchAttributeType.KEYWORD);
export const FleetClusterId = defineSearchAttributeKey('FleetClusterId', SearchAttributeType.KEYWORD);
/** `planning`, `upgrading`, `done`, ... for rollouts; `preflight`, `waiting-window`, ... for clusters. */
export const FleetPhase = defineSearchAttributeKey('FleetPhase', SearchAttributeType.KEYWORD);

/** Rollouts: percent of the fleet's clusters that have ended (any outcome), 0..100. */
export const FleetProgressPercent = defineSearchAttributeKey('FleetProgressPercent', SearchAttributeType.INT);
/** Rollouts: clusters that ended without succeeding (FAILED, MISSED, ...), so `FleetFailedClusters > 0` finds trouble. */
export const FleetFailedClusters = defineSearchAttributeKey('FleetFailedClusters', SearchAttributeType.INT);

export const FLEET_SEARCH_ATTRIBUTES = [FleetRolloutId, FleetPlatform, FleetOrganisation, FleetTargetVersion, FleetClusterId, FleetPhase, FleetProgressPercent, FleetFailedClusters] as const;
