/**
 * `createActivities(deps)`: every activity the worker registers, built around injected
 * dependencies (the platform clients and a logger), after temporalio/samples-typescript.
 * Each runs in a log context naming its rollout and cluster (log-context.ts).
 * Workflows see only the type `Activities`.
 */
import type { ActivityDeps } from './deps.js';
import { createGateActivities } from './gate.js';
import { createHealthActivities } from './health.js';
import { createPreCheckActivities } from './pre-checks.js';
import { inActivityLogContexts } from './log-context.js';
import { createNamespaceActivities } from './namespace.js';
import { createNotifyActivities } from './notify.js';
import { createReadPlanPage } from './plan-page.js';
import { createPlanRollout } from './plan-rollout.js';
import { createFindCluster } from './find-cluster.js';
import { createFindClusterHolder } from './cluster-holder.js';
import { createIsRolloutRunning } from './rollout-running.js';
import { createUpgradeActivities } from './upgrade.js';

export type { ActivityDeps } from './deps.js';
export type { PlannedHop, PlannedTarget, PlanRolloutInput, PlanRolloutResult } from './plan-rollout.js';
export type { HopVersion, MinorTargets } from './plan-hops.js';
export type { PlanPage, PlanPageInput } from './plan-page.js';
export type { FindClusterInput, FindClusterResult, FoundCluster } from './find-cluster.js';
export type { FindClusterHolderInput, FindClusterHolderResult } from './cluster-holder.js';
export type { IsRolloutRunningInput, IsRolloutRunningResult } from './rollout-running.js';
export type {
  CheckHealthConfigInput,
  CheckHealthConfigResult,
  HealthCheckReport,
  RunHealthChecksInput,
  RunHealthChecksResult,
} from './health.js';
export type { RunWaveGateInput, RunWaveGateResult } from './gate.js';
export type { RunPreChecksInput } from './pre-checks.js';
export type { CheckNamespaceInput, CheckNamespaceResult } from './namespace.js';
export type {
  CheckNotifyChannelsInput,
  CheckNotifyChannelsResult,
  DeliverNotificationInput,
  DeliverNotificationResult,
} from './notify.js';
export type {
  ClusterCall,
  CompensateUpgradeInput,
  PollUpgradeInput,
  RequestUpgradeInput,
  RequestUpgradeResult,
} from './upgrade.js';

export function createActivities(deps: ActivityDeps) {
  return inActivityLogContexts({
    planRollout: createPlanRollout(deps),
    readPlanPage: createReadPlanPage(deps),
    findCluster: createFindCluster(deps),
    findClusterHolder: createFindClusterHolder(),
    isRolloutRunning: createIsRolloutRunning(),
    ...createUpgradeActivities(deps),
    ...createHealthActivities(deps),
    ...createPreCheckActivities(deps),
    ...createGateActivities(deps),
    ...createNotifyActivities(deps),
    ...createNamespaceActivities(),
  });
}

export type Activities = ReturnType<typeof createActivities>;
