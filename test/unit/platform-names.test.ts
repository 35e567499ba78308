/**
 * A platform is a descriptor (src/platforms/registry.ts): outside its own folder, code
 * asks the descriptor what the platform does and never compares against its name. This
 * reads the source tree and fails on a comparison (`=== 'avisi'`, `!== "aether"`,
 * `case 'avisi':`) with any registered name outside src/platforms/ and src/simulator/
 * (which speaks the dialects by name).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PLATFORMS } from '../../src/domain/platform.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SRC = join(ROOT, 'src');
/** Where a platform's name may be compared: its own folder and the registry, and the simulator's dialects. */
const EXEMPT = ['src/platforms/', 'src/simulator/'];

const names = PLATFORMS.map((name) => name.replace(/[-.]/g, '\\$&')).join('|');
const literal = `['"\`](?:${names})['"\`]`;
const COMPARISON = new RegExp(
  `(?:[!=]==?\\s*${literal})|(?:${literal}\\s*[!=]==?)|(?:\\bcase\\s+${literal}\\s*:)`,
  'g',
);

/** `path:line: text` for every comparison with a platform name in a file, comments included (a commented-out test is one waiting to come back). */
export function nameComparisons(path: string, source: string): string[] {
  return source.split('\n').flatMap((line, i) => (line.match(COMPARISON) ? [`${path}:${i + 1}: ${line.trim()}`] : []));
}

const sources = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts'))
  .map((file) => relative(ROOT, join(SRC, file)).split('\\').join('/'));

describe('platform names', () => {
  it('are found when compared (the check sees what it guards)', () => {
    expect(sources.length).toBeGreaterThan(50);
    expect(
      nameComparisons(
        'x.ts',
        'if (spec.platform === \'avisi\' && x) {}\nconst a = "aether" !== p;\n  case `avisi`:\nconst ok = platform;',
      ),
    ).toEqual([
      "x.ts:1: if (spec.platform === 'avisi' && x) {}",
      'x.ts:2: const a = "aether" !== p;',
      'x.ts:3: case `avisi`:',
    ]);
    expect(nameComparisons('y.ts', "const spec = { platform: 'avisi' };\nconst key = 'avisi-like' === x;")).toEqual([]);
  });

  it('are compared only inside src/platforms/ and src/simulator/', () => {
    const outside = sources.filter((path) => !EXEMPT.some((dir) => path.startsWith(dir)));
    expect(outside.flatMap((path) => nameComparisons(path, readFileSync(join(ROOT, path), 'utf8')))).toEqual([]);
  });
});
