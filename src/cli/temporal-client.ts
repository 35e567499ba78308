/** A Temporal client for CLI commands, configured like the worker (envconfig + flags). */
import { Client, Connection } from '@temporalio/client';
import { loadTemporalTarget, type TemporalOverrides, type TemporalTarget } from '../temporal-config.js';

export interface ConnectedClient {
  readonly client: Client;
  readonly target: TemporalTarget;
  close(): Promise<void>;
}

export async function connectClient(overrides: TemporalOverrides = {}): Promise<ConnectedClient> {
  const target = loadTemporalTarget(overrides);
  let connection: Connection;
  try {
    connection = await Connection.connect(target.connectionOptions);
  } catch (error) {
    throw new Error(
      `cannot reach Temporal at ${target.connectionOptions.address}: ${(error as Error).message}. Set TEMPORAL_ADDRESS or --address.`,
    );
  }
  const client = new Client({ connection, namespace: target.namespace });
  return { client, target, close: () => connection.close() };
}
