/**
 * `fleet rollout list`: the rollouts Temporal knows, newest first, with where each one
 * is (from the search attributes the rollout keeps current), filtered like the UI.
 */
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { Command } from 'commander';
import {
  FLEET_ROLLOUT_PHASES,
  FleetFailedClusters,
  FleetOrganisation,
  FleetPhase,
  FleetPlatform,
  FleetProgressPercent,
  FleetTargetVersion,
} from '../../workflows/search-attributes.js';
import { UsageError } from '../errors.js';
import { DRY_RUN_MEMO } from '../../workflows/rollout/memo.js';
import { EXECUTION_STATUSES, rolloutListQuery, type RolloutFilter } from '../rollout-query.js';
import { formatTable } from '../table.js';
import { connectClient } from '../temporal-client.js';
import { connectionOptions, type ConnectionFlags } from './connection-options.js';

interface ListFlags extends ConnectionFlags, RolloutFilter {
  limit: string;
  json?: boolean;
  dryRuns?: boolean;
}

/** Set by Temporal on every run a schedule starts: the schedule's id. */
const TemporalScheduledById = defineSearchAttributeKey('TemporalScheduledById', SearchAttributeType.KEYWORD);

export interface RolloutListing {
  readonly rolloutId: string;
  readonly status: string;
  readonly phase: string | undefined;
  readonly progressPercent: number | undefined;
  readonly failedClusters: number | undefined;
  readonly platform: string | undefined;
  readonly organisation: string | undefined;
  readonly targetVersion: string | undefined;
  readonly startedAt: string;
  readonly closedAt?: string;
  /** A dry run (its memo says so): listed only with `--dry-runs`. */
  readonly dryRun: boolean;
  /** The schedule that started it, when one did. */
  readonly scheduledBy?: string;
}

const isDryRun = (info: WorkflowExecutionInfo): boolean => info.memo?.[DRY_RUN_MEMO] === true;

function listingOf(info: WorkflowExecutionInfo): RolloutListing {
  const attrs = info.typedSearchAttributes;
  return {
    rolloutId: info.workflowId,
    status: info.status.name,
    phase: attrs.get(FleetPhase),
    progressPercent: attrs.get(FleetProgressPercent),
    failedClusters: attrs.get(FleetFailedClusters),
    platform: attrs.get(FleetPlatform),
    organisation: attrs.get(FleetOrganisation),
    targetVersion: attrs.get(FleetTargetVersion),
    startedAt: info.startTime.toISOString(),
    ...(info.closeTime ? { closedAt: info.closeTime.toISOString() } : {}),
    dryRun: isDryRun(info),
    ...scheduleOf(info),
  };
}

function scheduleOf(info: WorkflowExecutionInfo): { scheduledBy?: string } {
  const id = info.typedSearchAttributes.get(TemporalScheduledById) ?? info.searchAttributes?.TemporalScheduledById?.[0];
  return typeof id === 'string' ? { scheduledBy: id } : {};
}

/** The table's last column: how the rollout came about, when not by hand. */
const origin = (l: RolloutListing): string =>
  [l.scheduledBy ? `schedule ${l.scheduledBy}` : '', l.dryRun ? 'dry run' : ''].filter(Boolean).join(', ');

const orDash = (value: unknown) => (value === undefined ? '-' : String(value));

const LIST_EXAMPLES = `
Examples:
  fleet rollout list --status running
  fleet rollout list --target 1.31 --failed --json
  fleet rollout list --dry-runs
  fleet rollout list --query 'StartTime > "2026-11-01T00:00:00Z"'`;

export function registerListCommand(rollout: Command): void {
  connectionOptions(
    rollout
      .command('list')
      .description('list rollouts, newest first, with phase, progress and failures')
      .option('--status <status>', `workflow status: ${EXECUTION_STATUSES.join(', ')}`)
      .option('--platform <name>', 'avisi or aether')
      .option('--organisation <id>', 'organisation slug or UUID')
      .option('--target <version>', 'target version as given at start, e.g. 1.31')
      .option('--phase <phase>', `one of ${Object.keys(FLEET_ROLLOUT_PHASES).join(', ')}`)
      .option('--failed', 'only rollouts with clusters that did not succeed')
      .option('--query <visibility query>', 'any Temporal visibility query, ANDed with the filters above')
      .option('--dry-runs', 'list dry runs (fleet rollout plan, dryRun: true) too; left out by default')
      .option('--limit <n>', 'at most this many', '20')
      .option('--json', 'print a JSON array'),
  )
    .addHelpText('after', LIST_EXAMPLES)
    .action(listRollouts);
}

async function listRollouts(flags: ListFlags): Promise<void> {
  const limit = Number(flags.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new UsageError(`--limit: a whole number from 1 to 1000, got ${JSON.stringify(flags.limit)}`);
  }
  const listings = await readListings(flags, limit);
  if (flags.json) console.log(JSON.stringify(listings, null, 2));
  else if (listings.length === 0) console.log('no rollouts match');
  else console.log(listingTable(listings));
}

/** Up to `limit` rollouts that match the flags, newest first. */
async function readListings(flags: ListFlags, limit: number): Promise<RolloutListing[]> {
  const query = rolloutListQuery(flags);
  const connected = await connectClient(flags);
  const listings: RolloutListing[] = [];
  try {
    // Dry runs are told by their memo, not by the query: skipped here, so --limit counts the rows shown.
    const pageSize = Math.min(flags.dryRuns ? limit : limit * 2, 100);
    for await (const info of connected.client.workflow.list({ query, pageSize })) {
      if (!flags.dryRuns && isDryRun(info)) continue;
      listings.push(listingOf(info));
      if (listings.length >= limit) break;
    }
  } catch (error) {
    const message = (error as Error).message;
    if (/invalid|unknown|not defined/i.test(message)) {
      const why = `the server rejected the query (${message.split('\n')[0]})`;
      throw new UsageError(`${why}; are fleetwave's search attributes registered? (${SEARCH_ATTRIBUTES_DOC})`, 1);
    }
    throw error;
  } finally {
    await connected.close();
  }
  return listings;
}

const SEARCH_ATTRIBUTES_DOC = 'docs/workflow-contract.md#search-attributes';

function listingTable(listings: readonly RolloutListing[]): string {
  // The ORIGIN column only when a row has one, so a list of hand-started rollouts reads as before.
  const withOrigin = listings.some((l) => origin(l) !== '');
  const rows = listings.map((l) => [
    l.rolloutId,
    l.status,
    orDash(l.phase),
    l.progressPercent === undefined ? '-' : `${l.progressPercent}%`,
    orDash(l.failedClusters),
    `${orDash(l.platform)}/${orDash(l.organisation)}`,
    orDash(l.targetVersion),
    l.startedAt.slice(0, 16).replace('T', ' '),
    ...(withOrigin ? [origin(l)] : []),
  ]);
  const headers = ['ROLLOUT', 'STATUS', 'PHASE', 'DONE', 'FAILED', 'PLATFORM/ORG', 'TARGET', 'STARTED (UTC)'];
  return formatTable([...headers, ...(withOrigin ? ['ORIGIN'] : [])], rows);
}
