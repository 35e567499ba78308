/**
 * The worker's reusable V8 context evaluates a workflow's modules afresh for every
 * execution, so whatever `src/workflows/index.ts` imports statically runs again for
 * every cluster's child and claim. zod built the spec schema there once per execution:
 * about half the worker's CPU and memory in `npm run bench`. The spec is loaded on
 * demand by the rollout alone (fleet-rollout.ts); this keeps it so.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ENTRY = fileURLToPath(new URL('../../src/workflows/index.ts', import.meta.url));
/** Heavy at module evaluation; never in a workflow's static import graph. */
const HEAVY = ['zod', 'fastest-levenshtein'];

/** Static, value (not `import type`) imports of a module; `import()` is not one. */
function staticImports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const specifiers: string[] = [];
  for (const match of source.matchAll(/^(?:import|export)\s+(?!type\s)[^;]*?from\s+'([^']+)'/gms)) specifiers.push(match[1]!);
  return specifiers;
}

function graph(entry: string): { modules: Set<string>; packages: Set<string> } {
  const modules = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (modules.has(file)) return;
    modules.add(file);
    for (const specifier of staticImports(file)) {
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.add(specifier);
    }
  };
  visit(entry);
  return { modules, packages };
}

describe('the workflow bundle', () => {
  const { modules, packages } = graph(ENTRY);

  it('is crawled (the check sees the modules it guards)', () => {
    expect([...modules].some((m) => m.endsWith('cluster-upgrade.ts'))).toBe(true);
    expect(packages).toContain('@temporalio/workflow');
  });

  it('imports no heavy package statically', () => {
    expect([...packages].filter((p) => HEAVY.some((h) => p === h || p.startsWith(`${h}/`)))).toEqual([]);
  });

  it('loads the spec validator only on demand', () => {
    expect([...modules].filter((m) => m.endsWith('/domain/spec.ts'))).toEqual([]);
  });
});
