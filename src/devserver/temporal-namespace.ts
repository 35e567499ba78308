/**
 * What docker-compose.yml's `temporal-setup` does, through the API instead of the
 * `temporal` CLI: the namespace (retention 720h, as compose), then fleetwave's search
 * attributes (FLEET_SEARCH_ATTRIBUTES), each only when missing, so it runs after every
 * (re)start. Then it waits until the namespace answers a visibility query naming every
 * attribute: what a worker and the harness need before their first call.
 */
import type { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import {
  indexedValueType,
  searchAttributeGaps,
  searchAttributeLiteral,
  type IndexedValueType,
} from '../namespace-check.js';
import { FLEET_SEARCH_ATTRIBUTES, type FleetSearchAttributeKey } from '../workflows/search-attributes.js';

/** gRPC status codes the server answers with while it (or its namespace cache) warms up, and for "already there". */
const GRPC = { ALREADY_EXISTS: 6 } as const;

const grpcCode = (error: unknown): number | undefined => (error as { code?: unknown }).code as number | undefined;

export const NAMESPACE_RETENTION = '720h';

async function registerNamespace(connection: Connection, namespace: string): Promise<void> {
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs(NAMESPACE_RETENTION),
    });
  } catch (error) {
    if (grpcCode(error) !== GRPC.ALREADY_EXISTS) throw error;
  }
}

/**
 * Adds the attributes of `keys` (default: all of fleetwave's) the namespace lacks; an
 * existing one of another type is an error nobody can fix by retrying. Tests register
 * all but one to set up a namespace from before that one existed.
 */
export async function registerSearchAttributes(
  connection: Connection,
  namespace: string,
  keys: readonly FleetSearchAttributeKey[] = FLEET_SEARCH_ATTRIBUTES,
): Promise<void> {
  const gaps = await searchAttributeGaps(connection, namespace, keys);
  const wrong = gaps.find((gap) => gap.registered !== undefined);
  if (wrong)
    throw new Error(
      `namespace ${namespace} has search attribute ${wrong.name} of another type (${wrong.registered}), not ${wrong.type}`,
    );
  const missing: Record<string, IndexedValueType> = Object.fromEntries(
    gaps.map((gap) => [gap.name, indexedValueType(gap.type)]),
  );
  if (gaps.length > 0) await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
}

/** A query that names every attribute of `keys`: its result does not matter, its acceptance does. */
export const searchAttributeProbe = (keys: readonly FleetSearchAttributeKey[] = FLEET_SEARCH_ATTRIBUTES): string =>
  keys.map((key) => `${key.name} = ${searchAttributeLiteral(key.type)}`).join(' OR ');

/**
 * Registers the namespace and the attributes (`keys`, default all of fleetwave's),
 * retrying while the server warms up (history shards being acquired, the namespace
 * reaching the frontend's cache), until a count query over every attribute is accepted
 * or `timeoutMs` passes.
 */
export async function setUpNamespace(
  connection: Connection,
  namespace: string,
  timeoutMs: number,
  keys: readonly FleetSearchAttributeKey[] = FLEET_SEARCH_ATTRIBUTES,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    try {
      await registerNamespace(connection, namespace);
      await registerSearchAttributes(connection, namespace, keys);
      await connection.workflowService.countWorkflowExecutions({ namespace, query: searchAttributeProbe(keys) });
      return;
    } catch (error) {
      if (error instanceof Error && /of another type/.test(error.message)) throw error;
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 1000)));
    }
  }
  throw new Error(
    `namespace ${namespace} and fleetwave's search attributes were not ready within ${timeoutMs} ms: ${String(lastError)}`,
  );
}
