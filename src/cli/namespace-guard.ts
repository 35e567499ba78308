/**
 * `fleet rollout start` and `plan` ask the namespace for the search attributes the
 * rollout will set before they start anything: on a namespace without them the rollout
 * could not run (namespace-check.ts), so they refuse with the message that names each
 * missing attribute and the command that registers it. Exit 1, as for Temporal being
 * unreachable: the spec is fine, the namespace is not set up (docs/operations.md).
 *
 * When the namespace cannot be asked (say, credentials that may start workflows but not
 * list attributes), they say so and start: the rollout checks again before its first upsert.
 */
import type { RolloutPlan } from '../domain/spec.js';
import { namespaceProblem, searchAttributeGaps } from '../namespace-check.js';
import { rolloutSearchAttributes } from '../workflows/search-attributes.js';
import type { ConnectedClient } from './temporal-client.js';

export async function requireRolloutNamespace(
  connected: ConnectedClient,
  plan: Pick<RolloutPlan, 'targets'>,
): Promise<void> {
  const namespace = connected.target.namespace;
  let gaps;
  try {
    gaps = await searchAttributeGaps(
      connected.client.connection,
      namespace,
      rolloutSearchAttributes(plan.targets.length),
    );
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    console.error(
      `fleet: could not check namespace ${namespace} for fleetwave's search attributes (${why}); starting anyway`,
    );
    return;
  }
  const problem = namespaceProblem(namespace, gaps);
  if (problem) throw new Error(`${problem}\nNothing was started.`);
}
