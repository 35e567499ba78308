/**
 * `PlatformName`: the names of the platforms in the registry, as a type the low-level
 * platform files (types, http, errors) can import without importing the registry (which
 * imports every descriptor, which import those files: a circle). Each descriptor adds
 * its name here (`declare module '../names.js'`); registry.ts checks that the names
 * here are exactly its list's.
 */
// Empty here: filled by declaration merging, one key per platform.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- see above
export interface PlatformNames {}

export type PlatformName = keyof PlatformNames & string;
