/**
 * `checkNamespace`: whether the workflow's namespace has the search attributes it is
 * about to set, asked through the worker's own connection (the activity context's
 * client) before a rollout's first upsert. The answer is the same message the worker
 * logs at start and `fleet rollout start` refuses with (namespace-check.ts).
 *
 * Cached per worker: a namespace seen complete is trusted for COMPLETE_FOR_MS (attributes
 * are rarely removed); one that lacked something is asked again every time, so a rollout
 * started just after an operator registered them finds them.
 */
import { Context } from '@temporalio/activity';
import { namespaceProblem, searchAttributeGaps } from '../namespace-check.js';
import { FLEET_SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';

export interface CheckNamespaceInput {
  /** The attributes the workflow will set (names of FLEET_SEARCH_ATTRIBUTES). */
  readonly attributes: readonly string[];
}

export interface CheckNamespaceResult {
  /** Why the workflow cannot run here, with the commands that fix it; absent: nothing needed is missing. */
  readonly problem?: string;
  /** The namespace could not be asked (say, the worker's credentials may not list attributes): the workflow goes on. */
  readonly unchecked?: string;
}

export const COMPLETE_FOR_MS = 5 * 60_000;

export function createNamespaceActivities() {
  /** Namespaces seen with every attribute, and when. */
  const complete = new Map<string, number>();
  return {
    async checkNamespace(input: CheckNamespaceInput): Promise<CheckNamespaceResult> {
      const context = Context.current();
      const namespace = context.info.workflowNamespace ?? context.info.activityNamespace;
      const seen = complete.get(namespace);
      if (seen !== undefined && Date.now() - seen < COMPLETE_FOR_MS) return {};
      let gaps;
      try {
        gaps = await searchAttributeGaps(context.client.connection, namespace, FLEET_SEARCH_ATTRIBUTES);
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        context.log.warn(`could not list the search attributes of namespace ${namespace}: ${why}`);
        return { unchecked: why };
      }
      if (gaps.length === 0) complete.set(namespace, Date.now());
      const problem = namespaceProblem(
        namespace,
        gaps.filter((gap) => input.attributes.includes(gap.name)),
      );
      return problem ? { problem } : {};
    },
  };
}
