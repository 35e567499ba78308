/**
 * The worker's reusable V8 context evaluates a workflow's modules afresh for every
 * execution, so whatever `src/workflows/index.ts` imports statically runs again for
 * every cluster's child and claim. zod built the spec schema there once per execution:
 * about half the worker's CPU and memory in `npm run bench`. The spec is loaded on
 * demand by the rollout alone (rollout/workflow.ts), and the rollout's own code by
 * `fleetRollout` in index.ts, so the cluster children evaluate neither; this keeps it so.
 *
 * Workflow code also reads the platform descriptors (src/platforms/<name>/descriptor.ts,
 * through domain/platform.ts), which must stay pure: no HTTP client, no zod, no Node
 * built-ins (the SDK's bundler rejects those). A descriptor reaches its client only
 * through an `import()` the bundler is told to leave alone (`webpackIgnore`).
 */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENTRY = fileURLToPath(new URL('../../src/workflows/index.ts', import.meta.url));
/** Heavy at module evaluation, or I/O; never in a workflow's static import graph. */
const HEAVY = ['zod', 'fastest-levenshtein', 'got'];
/** The platform modules that do I/O or parse the wire: reached from a descriptor only through an ignored `import()`. */
const PLATFORM_IO = [
  /\/src\/platforms\/[^/]+\/client\.ts$/,
  /\/src\/platforms\/http\.ts$/,
  /\/src\/platforms\/([^/]+\/)?schemas\.ts$/,
];

/** `import('...')` calls in a module, with what they load and whether the bundler leaves them alone. */
function dynamicImports(file: string): { specifier: string; ignored: boolean }[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/\bimport\(\s*((?:\/\*[^*]*\*\/\s*)*)['"]([^'"]+)['"]\s*\)/g)].map((match) => ({
    specifier: match[2]!,
    ignored: /webpackIgnore:\s*true/.test(match[1]!),
  }));
}

/** Static, value (not `import type`) imports of a module; `import()` is not one. */
function staticImports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const specifiers: string[] = [];
  for (const match of source.matchAll(/^(?:import|export)\s+(?!type\s)[^;]*?from\s+'([^']+)'/gms))
    specifiers.push(match[1]!);
  return specifiers;
}

/** `import(/* webpackMode: "eager" *\/ '...')`: in the bundle, evaluated only when the code runs. */
function eagerImports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/\bimport\(\s*\/\*\s*webpackMode:\s*"eager"\s*\*\/\s*'([^']+)'\s*\)/g)].map((m) => m[1]!);
}

/**
 * The modules a workflow execution evaluates at its start (static imports), or, with
 * `bundle`, every module in the bundle (eager `import()`s followed too).
 */
function graph(entry: string, bundle = false): { modules: Set<string>; packages: Set<string> } {
  const modules = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (modules.has(file)) return;
    modules.add(file);
    for (const specifier of [...staticImports(file), ...(bundle ? eagerImports(file) : [])]) {
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.add(specifier);
    }
  };
  visit(entry);
  return { modules, packages };
}

describe('the workflow bundle', () => {
  const { modules, packages } = graph(ENTRY);
  const bundled = graph(ENTRY, true).modules;

  it('is crawled (the check sees the modules it guards)', () => {
    expect([...modules].some((m) => m.endsWith('cluster/workflow.ts'))).toBe(true);
    expect(packages).toContain('@temporalio/workflow');
  });

  it('imports no heavy package statically', () => {
    expect([...packages].filter((p) => HEAVY.some((h) => p === h || p.startsWith(`${h}/`)))).toEqual([]);
  });

  it('loads the spec validator only on demand', () => {
    expect([...modules].filter((m) => m.endsWith('/domain/spec.ts'))).toEqual([]);
    expect([...bundled].some((m) => m.endsWith('/domain/spec.ts'))).toBe(true);
  });

  it("loads the rollout's code only when a rollout runs (the cluster children never evaluate it)", () => {
    expect([...modules].filter((m) => m.includes('/src/workflows/rollout/')).map((m) => relative(ROOT, m))).toEqual([]);
    expect([...bundled].some((m) => m.endsWith('/src/workflows/rollout/loop.ts'))).toBe(true);
  });

  it('reads the platform descriptors (the check sees them)', () => {
    expect(
      [...bundled].filter((m) => /\/src\/platforms\/[^/]+\/descriptor\.ts$/.test(m)).length,
    ).toBeGreaterThanOrEqual(2);
    expect([...bundled].some((m) => m.endsWith('/src/platforms/registry.ts'))).toBe(true);
  });

  it('imports no platform client, HTTP layer or wire schema statically', () => {
    expect(
      [...bundled].filter((m) => PLATFORM_IO.some((pattern) => pattern.test(m))).map((m) => relative(ROOT, m)),
    ).toEqual([]);
  });

  it('reaches platform clients only through imports the bundler leaves alone', () => {
    const clientImports = [...bundled].flatMap((m) =>
      dynamicImports(m)
        .filter((d) => !d.ignored && /client(\.js)?$/.test(d.specifier))
        .map((d) => `${relative(ROOT, m)} -> ${d.specifier}`),
    );
    expect(clientImports).toEqual([]);
    const descriptors = [...bundled].filter(
      (m) =>
        m.endsWith('/descriptor.ts') && m.includes('/src/platforms/') && !m.endsWith('/src/platforms/descriptor.ts'),
    );
    for (const descriptor of descriptors)
      expect(dynamicImports(descriptor), relative(ROOT, descriptor)).toContainEqual({
        specifier: './client.js',
        ignored: true,
      });
  });
});
