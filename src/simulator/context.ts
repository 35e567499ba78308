/** Everything a route needs, built once per simulator by startSimulator. */
import type { Logger } from '../logger.js';
import type { AetherLifecycleConfig } from './aether-upgrades.js';
import type { AvisiLifecycleConfig } from './avisi-upgrades.js';
import type { SimClock } from './clock.js';
import type { Dialect } from './dialects.js';
import type { Faults } from './faults.js';
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
}

export interface SimContext {
  readonly world: World;
  readonly clock: SimClock;
  readonly avisi: AvisiLifecycleConfig;
  readonly aether: AetherLifecycleConfig;
  /** Upgrade ids, fault rolls and outcome draws: seeded, so a run can be replayed. */
  readonly random: SeededRandom;
  readonly probabilities: { avisi?: OutcomeProbabilities<AvisiOutcome>; aether?: OutcomeProbabilities<AetherOutcome> };
  readonly faults: Faults;
  readonly limiters: Record<Dialect, RateLimiter>;
  /** API requests received and refused by the per-token limit, per dialect (`GET /_sim/traffic`). */
  readonly traffic: Record<Dialect, Traffic>;
  readonly requests: RequestLog;
  readonly logger: Logger;
}
