/**
 * The visibility query behind `fleet rollout list`: rollouts only (not their children
 * or the runs a rollout continued from), narrowed by the search attributes operators
 * filter on. Values are checked here, so a typo is a usage error rather than a query
 * the server rejects with a message about its grammar.
 */
import { PLATFORMS } from '../domain/platform.js';
import { parseVersion } from '../domain/versions.js';
import { FLEET_ROLLOUT_PHASES } from '../workflows/search-attributes.js';
import { UsageError } from './errors.js';
import { ROLLOUT_WORKFLOW_TYPE } from './rollouts.js';

export interface RolloutFilter {
  platform?: string;
  organisation?: string;
  target?: string;
  phase?: string;
  /** Workflow status as the UI names it: Running, Completed, Failed, Terminated, Canceled, TimedOut. */
  status?: string;
  /** Only rollouts with clusters that did not succeed. */
  failed?: boolean;
  /** Extra visibility query, ANDed. */
  query?: string;
}

export const EXECUTION_STATUSES = ['Running', 'Completed', 'Failed', 'Terminated', 'Canceled', 'TimedOut'] as const;

/** A keyword value for the query; quotes and backslashes have no place in these values. */
function keyword(flag: string, value: string): string {
  if (!/^[\w.:/@-]+$/.test(value)) throw new UsageError(`--${flag}: letters, digits and . _ - : / @ only, got ${JSON.stringify(value)}`);
  return `"${value}"`;
}

export function rolloutListQuery(filter: RolloutFilter): string {
  // A rollout that continued as new leaves closed runs behind: list each rollout once.
  const parts = [`WorkflowType = "${ROLLOUT_WORKFLOW_TYPE}"`, 'ExecutionStatus != "ContinuedAsNew"'];
  if (filter.platform !== undefined) {
    if (!(PLATFORMS as readonly string[]).includes(filter.platform)) throw new UsageError(`--platform: one of ${PLATFORMS.join(', ')}, got ${JSON.stringify(filter.platform)}`);
    parts.push(`FleetPlatform = "${filter.platform}"`);
  }
  if (filter.organisation !== undefined) parts.push(`FleetOrganisation = ${keyword('organisation', filter.organisation)}`);
  if (filter.target !== undefined) {
    if (!parseVersion(filter.target)) throw new UsageError(`--target: not a Kubernetes version: ${JSON.stringify(filter.target)}`);
    parts.push(`FleetTargetVersion = "${filter.target}"`);
  }
  if (filter.phase !== undefined) {
    const phases = Object.keys(FLEET_ROLLOUT_PHASES);
    if (!phases.includes(filter.phase)) throw new UsageError(`--phase: one of ${phases.join(', ')}, got ${JSON.stringify(filter.phase)}`);
    parts.push(`FleetPhase = "${filter.phase}"`);
  }
  if (filter.status !== undefined) {
    const status = EXECUTION_STATUSES.find((s) => s.toLowerCase() === filter.status!.toLowerCase());
    if (!status) throw new UsageError(`--status: one of ${EXECUTION_STATUSES.join(', ')}, got ${JSON.stringify(filter.status)}`);
    parts.push(`ExecutionStatus = "${status}"`);
  }
  if (filter.failed) parts.push('FleetFailedClusters > 0');
  if (filter.query !== undefined && filter.query.trim() !== '') parts.push(`(${filter.query})`);
  return parts.join(' AND ');
}
