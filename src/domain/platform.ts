/** The platforms fleetwave drives. **Contract**: these names appear in specs. */
export const PLATFORMS = ['avisi', 'aether'] as const;
export type PlatformName = (typeof PLATFORMS)[number];
