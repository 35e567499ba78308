/** The connection every `fleet schedule` subcommand runs in. */
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { connectClient, type ConnectedClient } from '../temporal-client.js';
import type { ConnectionFlags } from './connection-options.js';

/** Runs `body` connected, turning "no such schedule" into one line. */
export async function withSchedule<T>(
  flags: ConnectionFlags,
  scheduleId: string,
  body: (client: Client, connected: ConnectedClient) => Promise<T>,
): Promise<T> {
  const connected = await connectClient(flags);
  try {
    return await body(connected.client, connected);
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) {
      throw new UsageError(`no schedule ${scheduleId} in namespace ${connected.target.namespace}`, EXIT.ERROR);
    }
    throw error;
  } finally {
    await connected.close();
  }
}
