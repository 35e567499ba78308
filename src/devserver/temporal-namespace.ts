/**
 * What docker-compose.yml's `temporal-setup` does, through the API instead of the
 * `temporal` CLI: the namespace (retention 720h, as compose), then fleetwave's search
 * attributes (FLEET_SEARCH_ATTRIBUTES), each only when missing, so it runs after every
 * (re)start. Then it waits until the namespace answers a visibility query naming every
 * attribute: what a worker and the harness need before their first call.
 */
import type { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time.js';
// The package is CommonJS: its namespace comes as the default export under ESM.
import proto from '@temporalio/proto';
import { FLEET_SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';

/** gRPC status codes the server answers with while it (or its namespace cache) warms up, and for "already there". */
const GRPC = { ALREADY_EXISTS: 6 } as const;

const grpcCode = (error: unknown): number | undefined => (error as { code?: unknown }).code as number | undefined;

export const NAMESPACE_RETENTION = '720h';

async function registerNamespace(connection: Connection, namespace: string): Promise<void> {
  try {
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(NAMESPACE_RETENTION) });
  } catch (error) {
    if (grpcCode(error) !== GRPC.ALREADY_EXISTS) throw error;
  }
}

type IndexedValueType = proto.temporal.api.enums.v1.IndexedValueType;

/** The API's enum for a type: `KEYWORD_LIST` is `INDEXED_VALUE_TYPE_KEYWORD_LIST`. */
const indexedValueType = (type: SearchAttributeType): IndexedValueType => proto.temporal.api.enums.v1.IndexedValueType[`INDEXED_VALUE_TYPE_${type}`];

/** Adds the attributes the namespace lacks; an existing one of another type is an error nobody can fix by retrying. */
async function registerSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const existing = customAttributes ?? {};
  const missing: Record<string, IndexedValueType> = {};
  for (const key of FLEET_SEARCH_ATTRIBUTES) {
    const wanted = indexedValueType(key.type);
    const has = existing[key.name];
    if (has === undefined) missing[key.name] = wanted;
    else if (has !== wanted) throw new Error(`namespace ${namespace} has search attribute ${key.name} of another type (${String(has)}), not ${key.type}`);
  }
  if (Object.keys(missing).length > 0) await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
}

/** A literal of each type for a query that names every attribute (its result does not matter, its acceptance does). */
const LITERALS: Record<SearchAttributeType, string> = {
  [SearchAttributeType.KEYWORD]: "''",
  [SearchAttributeType.KEYWORD_LIST]: "''",
  [SearchAttributeType.TEXT]: "''",
  [SearchAttributeType.INT]: '0',
  [SearchAttributeType.DOUBLE]: '0',
  [SearchAttributeType.BOOL]: 'false',
  [SearchAttributeType.DATETIME]: "'1970-01-01T00:00:00Z'",
};

export const searchAttributeProbe = (): string => FLEET_SEARCH_ATTRIBUTES.map((key) => `${key.name} = ${LITERALS[key.type]}`).join(' OR ');

/**
 * Registers the namespace and the attributes, retrying while the server warms up
 * (history shards being acquired, the namespace reaching the frontend's cache), until
 * a count query over every attribute is accepted or `timeoutMs` passes.
 */
export async function setUpNamespace(connection: Connection, namespace: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    try {
      await registerNamespace(connection, namespace);
      await registerSearchAttributes(connection, namespace);
      await connection.workflowService.countWorkflowExecutions({ namespace, query: searchAttributeProbe() });
      return;
    } catch (error) {
      if (error instanceof Error && /of another type/.test(error.message)) throw error;
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 1000)));
    }
  }
  throw new Error(`namespace ${namespace} and fleetwave's search attributes were not ready within ${timeoutMs} ms: ${String(lastError)}`);
}
