/** Spec files written to a temporary folder of a test file's own, removed after its tests. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A writer of numbered JSON spec files under a fresh folder named `prefix`, which goes after the file's tests. */
export function specFiles(prefix: string): (spec: unknown) => string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let files = 0;
  return (spec) => {
    const path = join(dir, `spec-${++files}.json`);
    writeFileSync(path, JSON.stringify(spec));
    return path;
  };
}
