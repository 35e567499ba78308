/**
 * The platforms fleetwave drives, as domain and workflow code see them: names and
 * descriptors (pure) from the registry in src/platforms/registry.ts, never a client.
 * **Contract**: the names appear in specs.
 */
export {
  PLATFORM_NAMES as PLATFORMS,
  PLATFORM_DESCRIPTORS,
  descriptorOf,
  isPlatformName,
  type PlatformName,
} from '../platforms/registry.js';
export type { PlatformDescriptor } from '../platforms/descriptor.js';
