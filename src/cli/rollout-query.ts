/**
 * The visibility query behind `fleet rollout list`: rollouts only (not their children
 * or the runs a rollout continued from), narrowed by the search attributes operators
 * filter on. Values are checked here, so a typo is a usage error rather than a query
 * the server rejects with a message about its grammar.
 */
import { PLATFORMS } from '../domain/platform.js';
import { didYouMean } from '../domain/suggest.js';
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

/** `--phase: one of …, got "haltd"; did you mean halted?`: the list, and a near miss's guess. */
function notOneOf(flag: string, names: readonly string[], value: string): UsageError {
  const guess = didYouMean(value, names);
  const got = `got ${JSON.stringify(value)}${guess ? `; ${guess}` : ''}`;
  return new UsageError(`--${flag}: one of ${names.join(', ')}, ${got}`);
}

/** A keyword value for the query; quotes and backslashes have no place in these values. */
function keyword(flag: string, value: string): string {
  if (!/^[\w.:/@-]+$/.test(value))
    throw new UsageError(`--${flag}: letters, digits and . _ - : / @ only, got ${JSON.stringify(value)}`);
  return `"${value}"`;
}

export function rolloutListQuery(filter: RolloutFilter): string {
  // A rollout that continued as new leaves closed runs behind: list each rollout once.
  const parts = [`WorkflowType = "${ROLLOUT_WORKFLOW_TYPE}"`, 'ExecutionStatus != "ContinuedAsNew"'];
  if (filter.platform !== undefined) {
    const known = PLATFORMS as readonly string[];
    if (!known.includes(filter.platform)) throw notOneOf('platform', known, filter.platform);
    parts.push(`FleetPlatform = "${filter.platform}"`);
  }
  if (filter.organisation !== undefined)
    parts.push(`FleetOrganisation = ${keyword('organisation', filter.organisation)}`);
  if (filter.target !== undefined) {
    if (!parseVersion(filter.target))
      throw new UsageError(`--target: not a Kubernetes version: ${JSON.stringify(filter.target)}`);
    parts.push(`FleetTargetVersion = "${filter.target}"`);
  }
  if (filter.phase !== undefined) {
    const phases = Object.keys(FLEET_ROLLOUT_PHASES);
    if (!phases.includes(filter.phase)) throw notOneOf('phase', phases, filter.phase);
    parts.push(`FleetPhase = "${filter.phase}"`);
  }
  if (filter.status !== undefined) {
    const status = EXECUTION_STATUSES.find((s) => s.toLowerCase() === filter.status!.toLowerCase());
    if (!status) throw notOneOf('status', EXECUTION_STATUSES, filter.status);
    parts.push(`ExecutionStatus = "${status}"`);
  }
  if (filter.failed) parts.push('FleetFailedClusters > 0');
  if (filter.query !== undefined && filter.query.trim() !== '') parts.push(`(${filter.query})`);
  return parts.join(' AND ');
}
