/**
 * Finding a program the tests drive (Chromium, Prometheus): an override variable naming
 * its path, else the first of its names on PATH; undefined when there is none, so a
 * test can say how to install it.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const executable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

export function findExecutable(
  names: readonly string[],
  override: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (override) return executable(override) ? override : undefined;
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of names) for (const dir of dirs) if (executable(join(dir, name))) return join(dir, name);
  return undefined;
}
