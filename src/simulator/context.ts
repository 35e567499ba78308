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
  readonly requests: RequestLog;
  readonly logger: Logger;
}
