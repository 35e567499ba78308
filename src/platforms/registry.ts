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
import type { PlatformName } from './names.js';

const BUILT_IN = [avisi, aether] as const;

export type { PlatformName };

// The names the descriptors declare in names.ts are exactly the list's: a line missing here or there fails to compile.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const NAMES_MATCH: Same<(typeof BUILT_IN)[number]['name'], PlatformName> = true;
void NAMES_MATCH;

const DESCRIPTORS: PlatformDescriptor<PlatformName>[] = [...BUILT_IN];
const NAMES: PlatformName[] = DESCRIPTORS.map((descriptor) => descriptor.name);

/** **Contract**: in this order in messages (`must be one of avisi, aether`) and CLI help. */
export const PLATFORM_DESCRIPTORS: readonly PlatformDescriptor<PlatformName>[] = DESCRIPTORS;

/** The platforms' names, in registry order. **Contract**: these names appear in specs. */
export const PLATFORM_NAMES: readonly PlatformName[] = NAMES;

const BY_NAME = new Map<string, PlatformDescriptor<PlatformName>>(
  DESCRIPTORS.map((descriptor) => [descriptor.name, descriptor]),
);

/**
 * Adds a platform after the list above, for a test's throwaway platform
 * (test/integration/third-platform.test.ts). It must run before anything reads the
 * registry at load (the clients' factories in index.ts, config.ts's variable list):
 * import the registering module first, and in the workflow bundle's entry too.
 */
export function registerPlatform(descriptor: PlatformDescriptor): void {
  if (BY_NAME.has(descriptor.name)) throw new TypeError(`platform ${descriptor.name} is registered twice`);
  const named = descriptor as PlatformDescriptor<PlatformName>;
  DESCRIPTORS.push(named);
  NAMES.push(named.name);
  BY_NAME.set(named.name, named);
}

export const isPlatformName = (value: unknown): value is PlatformName =>
  typeof value === 'string' && BY_NAME.has(value);

/** The descriptor of a platform; throws for a name the registry lacks (a spec is validated before anything asks). */
export function descriptorOf(platform: PlatformName): PlatformDescriptor<PlatformName> {
  const descriptor = BY_NAME.get(platform);
  if (!descriptor)
    throw new TypeError(`unknown platform ${JSON.stringify(platform)}: one of ${PLATFORM_NAMES.join(', ')}`);
  return descriptor;
}
