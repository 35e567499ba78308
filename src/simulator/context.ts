/** Everything a route needs, built once per simulator by startSimulator. */
import type { Logger } from '../logger.js';
import type { AetherLifecycleConfig } from './aether-upgrades.js';
import type { AvisiLifecycleConfig } from './avisi-upgrades.js';
import type { SimClock } from './clock.js';
import type { CallLog } from './call-log.js';
import type { FaultKind, Faults } from './faults.js';
import type { AetherOutcome, AvisiOutcome, OutcomeProbabilities } from './outcomes.js';
import type { SeededRandom } from './random.js';
import type { RateLimiter } from './rate-limit.js';
import type { RequestLog } from './request-log.js';
import type { World } from './world.js';

export interface Traffic {
  /** Every `/api/v1` request. */
  requests: number;
  /** Refused with 429 by the per-token rate limit (injected 429s not included). */
  rateLimited: number;
  /** Injected faults, by kind: how a test shows each fault it asked for really happened. */
  faults: Record<FaultKind, number>;
}

export interface SimContext {
  readonly world: World;
  readonly clock: SimClock;
  readonly avisi: AvisiLifecycleConfig;
  readonly aether: AetherLifecycleConfig;
  /** Upgrade ids and outcome draws: seeded, so a run can be replayed (faults have streams of their own). */
  readonly random: SeededRandom;
  readonly probabilities: { avisi?: OutcomeProbabilities<AvisiOutcome>; aether?: OutcomeProbabilities<AetherOutcome> };
  readonly faults: Faults;
  /** Per dialect name (dialect.ts). */
  readonly limiters: Readonly<Record<string, RateLimiter>>;
  /** API requests received and refused by the per-token limit, per dialect name (`GET /_sim/traffic`). */
  readonly traffic: Readonly<Record<string, Traffic>>;
  readonly requests: RequestLog;
  /** Every API call with its client, arrival and answer times and `Retry-After` (`GET /_sim/calls`). */
  readonly calls: CallLog;
  readonly logger: Logger;
}
