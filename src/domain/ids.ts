/** Identifier rules shared by specs, clients and the simulator. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Avisi organisation, environment and cluster slugs. */
const SLUG = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export const isUuid = (text: string): boolean => UUID.test(text);
export const isSlug = (text: string): boolean => SLUG.test(text);

/** Aether may send UUIDs upper-case; every comparison goes through this. */
export const normaliseId = (id: string): string => (isUuid(id) ? id.toLowerCase() : id);

export const sameId = (a: string, b: string): boolean => normaliseId(a) === normaliseId(b);
