/**
 * No import circle in src, `import type` included (docs/development.md, "Which way the
 * imports point"): a circle of types still ties files that should be read one after the
 * other. What madge reports (`npx -y madge@8 --extensions ts --circular src`), kept true
 * by a test so that no change brings one back unseen.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The files of src a file imports or re-exports from, statically (an `import()` is not an edge). */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, false);
  return importedFiles
    .map((imported) => imported.fileName)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
}

/** One circle per strongly tied group found by depth-first search, as the files on it. */
export function findCircles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const circles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') circles.push(path.slice(path.indexOf(next)));
      else if (!state.has(next) && graph.has(next)) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return circles;
}

describe('imports in src', () => {
  it('finds a circle where there is one (the check can fail)', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(findCircles(graph)).toEqual([['a', 'b', 'c']]);
  });

  it('form no circle, type imports included', () => {
    const graph = new Map(sourceFiles(SRC).map((file) => [file, importsOf(file)] as const));
    const circles = findCircles(graph).map((circle) => circle.map((file) => relative(SRC, file)).join(' -> '));
    expect(circles).toEqual([]);
  });
});
