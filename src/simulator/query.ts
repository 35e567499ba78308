/** Query-string helpers: fastify hands over strings, or arrays for repeated keys. */
export type QueryValue = string | string[] | undefined;

/** A comma-separated (or repeated) list, empty entries dropped. */
export function listParam(value: QueryValue): string[] {
  const parts = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return parts
    .flatMap((part) => part.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A non-negative integer, the fallback when absent, or undefined when malformed or out of [min, max]. */
export function intParam(value: QueryValue, fallback: number, min: number, max: number): number | undefined {
  if (value === undefined || value === '') return fallback;
  if (Array.isArray(value) || !/^\d{1,9}$/.test(value)) return undefined;
  const n = Number(value);
  return n >= min && n <= max ? n : undefined;
}

/** `true` or `false` (as Spring reads a boolean), the fallback when absent, or undefined when malformed. */
export function booleanParam(value: QueryValue, fallback: boolean): boolean | undefined {
  if (value === undefined || value === '') return fallback;
  if (Array.isArray(value)) return undefined;
  const text = value.toLowerCase();
  return text === 'true' ? true : text === 'false' ? false : undefined;
}
