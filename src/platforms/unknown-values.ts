/**
 * Both APIs may add enum values at any time. Clients map what they know and report the
 * rest through this, once per field and value per client, so a new status shows up in
 * the logs without flooding them on every poll.
 */
import type { Logger } from '../logger.js';
import type { PlatformName } from './names.js';

export type UnknownValueReporter = (field: string, value: string) => void;

export function unknownValueReporter(logger: Logger, platform: PlatformName): UnknownValueReporter {
  const seen = new Set<string>();
  return (field, value) => {
    const key = `${field}\u0000${value}`;
    if (seen.has(key)) return;
    seen.add(key);
    logger.warn({ platform, field, value }, 'platform API sent an unknown value; treating it as unknown');
  };
}
