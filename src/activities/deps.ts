/** What activities need from the process around them; injected, so tests can swap it. */
import type { Logger } from '../logger.js';
import type { NotifyChannels } from '../notify/channels.js';
import type { DeliveryOptions } from '../notify/deliver.js';
import type { PlatformClient, PlatformName } from '../platforms/types.js';
import type { ReadBoards } from './read-boards.js';

export interface ActivityDeps {
  /** The HTTP client for a platform (tokens stay inside it, in the worker's memory). */
  readonly clientFor: (platform: PlatformName) => PlatformClient;
  readonly logger: Logger;
  /** The platform's API budget in calls per minute, all workers together (0: none); planning spaces polls by it. */
  readonly apiRatePerMinute?: (platform: PlatformName) => number;
  /**
   * How long one `pollUpgrade` attempt polls in process before its retry policy takes over
   * (upgrade.ts); default 20 s.
   */
  readonly pollStretchMs?: number;
  /** Where this process's cluster and upgrade reads are shared (read-boards.ts); built over `clientFor` when absent. */
  readonly readBoards?: ReadBoards;
  /**
   * The notification channels this worker defines (notify/channels.ts); none when absent. Their
   * URLs and secrets stay in this map.
   */
  readonly notifyChannels?: NotifyChannels;
  /** Delivery timeouts and the longest `Retry-After` honoured (notify/deliver.ts defaults). */
  readonly notifyDelivery?: Pick<DeliveryOptions, 'timeoutMs' | 'maxRetryAfterMs'>;
}
