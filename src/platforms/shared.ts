/** Small helpers the two clients share. */
import { parseVersion, satisfiesTarget } from '../domain/versions.js';

/** The object without its undefined and null fields: results stay small, plain JSON. */
export function compact<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as {
    [K in keyof T]: Exclude<T[K], null>;
  };
}

/**
 * Whether a version the platform wrote means the version a caller asked for: the same
 * text (case aside), or the same Kubernetes version (`v1.31.4-u-ame.1` is `1.31.4`), or
 * any patch of a `MAJOR.MINOR` that was asked for.
 */
export function versionMatches(platformVersion: string | null | undefined, wanted: string): boolean {
  if (!platformVersion) return false;
  if (platformVersion.trim().toLowerCase() === wanted.trim().toLowerCase()) return true;
  const have = parseVersion(platformVersion);
  const want = parseVersion(wanted);
  return have !== undefined && want !== undefined && satisfiesTarget(have, want);
}
