/**
 * Every platform fleetwave drives: one line each. `PlatformName` is derived from this
 * list, so adding a platform is its folder (`src/platforms/<name>/`: descriptor, client,
 * schemas), its line here and its dialect in the simulator (docs/adding-a-platform.md).
 *
 * Pure, like the descriptors: domain code (the spec) and workflow code read it, through
 * domain/platform.ts.
 */
import { aether } from './aether/descriptor.js';
import { avisi } from './avisi/descriptor.js';
import type { PlatformDescriptor } from './descriptor.js';

/** **Contract**: in this order in messages (`must be one of avisi, aether`) and CLI help. */
export const PLATFORM_DESCRIPTORS = [
  avisi,
  aether,
] as const;

export type PlatformName = (typeof PLATFORM_DESCRIPTORS)[number]['name'];

/** The platforms' names, in registry order. **Contract**: these names appear in specs. */
export const PLATFORM_NAMES: readonly PlatformName[] = PLATFORM_DESCRIPTORS.map((descriptor) => descriptor.name);

const BY_NAME: ReadonlyMap<string, PlatformDescriptor<PlatformName>> = new Map(PLATFORM_DESCRIPTORS.map((descriptor) => [descriptor.name, descriptor]));

export const isPlatformName = (value: unknown): value is PlatformName => typeof value === 'string' && BY_NAME.has(value);

/** The descriptor of a platform; throws for a name the registry lacks (a spec is validated before anything asks). */
export function descriptorOf(platform: PlatformName): PlatformDescriptor<PlatformName> {
  const descriptor = BY_NAME.get(platform);
  if (!descriptor) throw new TypeError(`unknown platform ${JSON.stringify(platform)}: one of ${PLATFORM_NAMES.join(', ')}`);
  return descriptor;
}
