/**
 * The documentation kept true: README.md is a door to the reference pages in docs/, and
 * those pages list what the code has. Each list is read from the code, so a spec field,
 * an environment variable, a FleetPhase value or a `fleet` command added without its line
 * in the docs fails here, and so does a line left behind for something removed.
 * Every relative link (and heading anchor) in README.md and docs/*.md must resolve.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { NOTIFY_EVENT_TYPES } from '../../src/domain/notify-events.js';
import { CLUSTER_OUTCOMES } from '../../src/domain/report.js';
import { rolloutSpecSchema, validateRolloutSpec } from '../../src/domain/spec.js';
import { parse as parseYaml } from 'yaml';
import { WORKER_PROCESS_ENV_VARS } from '../../src/worker-config.js';
import { rolloutUpdates } from '../../src/workflows/messages.js';
import { FLEET_CLUSTER_PHASES, FLEET_ROLLOUT_PHASES } from '../../src/workflows/search-attributes.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCS = join(ROOT, 'docs');
const read = (path: string): string => readFileSync(path, 'utf8');

const pages = [
  join(ROOT, 'README.md'),
  ...readdirSync(DOCS)
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(DOCS, name)),
];
const doc = (name: string): string => read(join(DOCS, name));

/** The lines outside fenced code blocks (a `#` in a shell example is no heading, a `[x](y)` in JSON no link). */
function prose(markdown: string): string[] {
  let fenced = false;
  return markdown.split('\n').filter((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return false;
    }
    return !fenced;
  });
}

interface Heading {
  readonly level: number;
  readonly text: string;
}

const headingOf = (line: string): Heading | undefined => {
  const match = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
  return match ? { level: match[1]!.length, text: match[2]! } : undefined;
};

/** GitHub's anchor for a heading: inline markup dropped, lower case, punctuation but `-` and `_` removed, spaces to `-`. */
const slugOf = (text: string): string =>
  text
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');

/** Every anchor a page has, duplicates numbered the way GitHub numbers them (`x`, `x-1`, ...). */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const heading of prose(markdown).map(headingOf)) {
    if (!heading) continue;
    const slug = slugOf(heading.text);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Link targets outside code: `[text](target)`; inline code is dropped first, so `[a](b)` in backticks is not a link. */
function linksOf(markdown: string): string[] {
  const text = prose(markdown)
    .join('\n')
    .replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) => match[1]!);
}

/** The lines of the section under `heading` (its text as written, without `#`), up to the next heading of its level or above. */
function section(markdown: string, heading: string): string[] {
  const lines = prose(markdown);
  const start = lines.findIndex((line) => headingOf(line)?.text === heading);
  if (start < 0) throw new Error(`no heading "${heading}"`);
  const level = headingOf(lines[start]!)!.level;
  const end = lines.findIndex((line, i) => i > start && (headingOf(line)?.level ?? 7) <= level);
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** The code spans in the first cell of every table row (header and separator rows have none). */
function firstColumn(lines: readonly string[]): string[] {
  return lines
    .filter((line) => line.trimStart().startsWith('|'))
    .flatMap((line) => {
      const cell =
        line
          .trim()
          .slice(1)
          .split(/(?<!\\)\|/)[0] ?? '';
      return [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1]!);
    });
}

/** The object shape inside optional, default, array and pipe wrappers (the wave inside `waves`). */
function shapeOf(schema: unknown): Record<string, unknown> {
  let current = schema as { shape?: Record<string, unknown>; unwrap?: () => unknown; element?: unknown; in?: unknown };
  for (let depth = 0; depth < 10 && !current.shape; depth++) {
    const next = current.element ?? current.in ?? current.unwrap?.();
    if (!next) break;
    current = next as typeof current;
  }
  if (!current.shape) throw new Error('not an object schema');
  return current.shape;
}

/** Names missing from a documented list, and documented names the code does not have. */
function compare(
  expected: readonly string[],
  documented: readonly string[],
): { undocumented: string[]; unknown: string[] } {
  return {
    undocumented: expected.filter((name) => !documented.includes(name)),
    unknown: documented.filter((name) => !expected.includes(name)),
  };
}

describe('links', () => {
  const cases = pages.flatMap((page) =>
    linksOf(read(page)).map((target) => [relative(ROOT, page), target, page] as const),
  );

  it('finds the links it checks', () => {
    expect(cases.length).toBeGreaterThan(20);
  });

  it.each(cases.filter(([, target]) => !/^[a-z][a-z0-9+.-]*:/i.test(target)))('%s -> %s', (_name, target, page) => {
    const [path = '', anchor] = target.split('#', 2);
    const file = path ? resolve(dirname(page), decodeURIComponent(path)) : page;
    expect(existsSync(file), `${target}: no such file`).toBe(true);
    if (anchor !== undefined && file.endsWith('.md'))
      expect([...anchorsOf(read(file))], `${target}: no such heading`).toContain(decodeURIComponent(anchor));
  });

  it('the README links every page in docs/', () => {
    const linked = new Set(
      linksOf(read(join(ROOT, 'README.md'))).map((target) => resolve(ROOT, target.split('#')[0]!)),
    );
    expect(
      pages
        .slice(1)
        .filter((page) => !linked.has(page))
        .map((page) => relative(ROOT, page)),
    ).toEqual([]);
  });
});

describe('docs/spec.md', () => {
  const spec = doc('spec.md');

  it('has every spec field in its table, and no field the schema lacks', () => {
    // `retry.maxAttempts` documents `retry`.
    const documented = [...new Set(firstColumn(section(spec, 'Spec fields')).map((name) => name.split('.')[0]!))];
    expect(compare(Object.keys(rolloutSpecSchema.shape), documented)).toEqual({ undocumented: [], unknown: [] });
  });

  it('has every wave field in its table, and no field the schema lacks', () => {
    const documented = firstColumn(section(spec, 'Wave fields'));
    expect(compare(Object.keys(shapeOf(rolloutSpecSchema.shape.waves)), documented)).toEqual({
      undocumented: [],
      unknown: [],
    });
  });
});

describe('docs/configuration.md', () => {
  const documented = firstColumn(section(doc('configuration.md'), 'Environment variables'));

  it('has every variable a worker reads (the Temporal connection, the platforms, the logger, its own) in its tables', () => {
    expect(WORKER_PROCESS_ENV_VARS.filter((name) => !documented.includes(name))).toEqual([]);
  });

  it('documents only variables the code reads', () => {
    const source = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => read(join(ROOT, 'src', file)))
      .join('\n');
    expect(documented.filter((name) => !WORKER_PROCESS_ENV_VARS.includes(name) && !source.includes(name))).toEqual([]);
  });
});

describe('docs/ui.md', () => {
  const ui = doc('ui.md');

  it('has every FleetPhase of a rollout, and no other', () => {
    expect(compare(Object.keys(FLEET_ROLLOUT_PHASES), firstColumn(section(ui, '`FleetPhase` of a rollout')))).toEqual({
      undocumented: [],
      unknown: [],
    });
  });

  it('has every FleetPhase of a cluster, where it is and how it ended, and no other', () => {
    // A child ends with its outcome in lower case; never SKIPPED: a cluster at the target gets no child.
    const ends = CLUSTER_OUTCOMES.filter((outcome) => outcome !== 'SKIPPED').map((outcome) => outcome.toLowerCase());
    expect(compare([...FLEET_CLUSTER_PHASES, ...ends], firstColumn(section(ui, '`FleetPhase` of a cluster')))).toEqual({
      undocumented: [],
      unknown: [],
    });
  });
});

describe('docs/operations.md', () => {
  /** Every leaf of the command tree, walked rather than listed, so a new command cannot be missed. */
  const leaves = (cmd: Command, path: string[] = []): string[] =>
    cmd.commands.length === 0 ? [path.join(' ')] : cmd.commands.flatMap((sub) => leaves(sub, [...path, sub.name()]));

  it('names every `fleet` command in its table, and no command that does not exist', () => {
    const commands = leaves(buildProgram()).map((path) => `fleet ${path}`);
    expect(commands.length).toBeGreaterThan(10);
    expect(compare(commands, firstColumn(section(doc('operations.md'), 'Commands')))).toEqual({
      undocumented: [],
      unknown: [],
    });
  });
});

describe('example specs', () => {
  /** Every fenced spec in the README and docs/spec.md: a YAML block that is a rollout.yaml, or a JSON block with a targetVersion. */
  const examples = ['README.md', 'docs/spec.md'].flatMap((file) =>
    [...readFileSync(join(ROOT, file), 'utf8').matchAll(/```(yaml|json)\n([\s\S]*?)```/g)]
      .filter(([, lang, body]) =>
        lang === 'yaml' ? body!.includes('# rollout.yaml') : /^\{[\s\S]*"targetVersion"/.test(body!.trim()),
      )
      .map(([, lang, body]) => ({ file, lang: lang!, body: body!.replace(/…/g, '0') })),
  );

  it('are found', () => {
    expect(examples.filter((e) => e.file === 'README.md')).toHaveLength(1);
    expect(examples.length).toBeGreaterThanOrEqual(3);
  });

  it.each(examples.map((e, i) => [`${e.file} #${i}`, e] as const))('%s is a valid spec', (_name, example) => {
    const spec =
      example.lang === 'yaml'
        ? parseYaml(example.body)
        : JSON.parse(example.body.replace(/"2489e9ad-0"/g, '"2489e9ad-2ee2-4e00-8ec9-32d5f69181c0"'));
    const result = validateRolloutSpec(spec);
    expect(result.ok ? [] : result.problems).toEqual([]);
  });
});

/** The rows of the table whose header's first cell is `first` (a table may sit in a list, indented). */
function table(lines: readonly string[], first: string): string[] {
  const start = lines.findIndex((line) => new RegExp(`^\\|\\s*${first}\\s*\\|`).test(line.trim()));
  if (start < 0) throw new Error(`no table headed "${first}"`);
  const end = lines.findIndex((line, i) => i > start && !line.trim().startsWith('|'));
  return lines.slice(start, end < 0 ? undefined : end);
}

describe('docs/development.md: the code map and the recipes', () => {
  // Read in the tests, so a page without these sections fails them, not the whole file.
  const map = (): string[] => section(doc('development.md'), 'Code map');
  const recipes = (): string[] => section(doc('development.md'), 'Recipes');
  /** Backticked paths into the tree (`src/workflows/messages.ts`, `src/cli/`), each once. */
  const PATH = /`((?:src|test|docs|deploy|scripts|bench)\/[\w./-]*)`/g;
  const pathsIn = (lines: readonly string[]): string[] => [
    ...new Set([...lines.join('\n').matchAll(PATH)].map((m) => m[1]!)),
  ];
  const SRC = join(ROOT, 'src');
  /** Every folder under `dir`, as `src/.../` (recursive: the workflows' folders and their view/). */
  const foldersOf = (dir: string, recursive: boolean): string[] =>
    readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .flatMap((entry) => {
        const path = join(dir, entry.name);
        const folder = `${relative(ROOT, path)}/`;
        return recursive ? [folder, ...foldersOf(path, true)] : [folder];
      });

  it('finds the paths it checks', () => {
    expect(pathsIn(map()).length).toBeGreaterThan(40);
    expect(pathsIn(recipes()).length).toBeGreaterThan(20);
  });

  it('names only paths that exist', () => {
    const stale = [...pathsIn(map()), ...pathsIn(recipes())].filter((path) => !existsSync(join(ROOT, path)));
    const why = 'named in docs/development.md (Code map, Recipes) but not in the tree, moved or removed';
    expect(stale, `${why}: ${stale.join(', ')}`).toEqual([]);
  });

  it('maps every folder of src/ and src/workflows/, and every file at the top of src/', () => {
    const expected = [
      ...foldersOf(SRC, false),
      ...foldersOf(join(SRC, 'workflows'), true),
      ...readdirSync(SRC)
        .filter((name) => name.endsWith('.ts'))
        .map((name) => `src/${name}`),
    ];
    const mapped = pathsIn(map());
    const missing = expected.filter((path) => !mapped.includes(path));
    expect(missing, `missing from docs/development.md's Code map (a line each): ${missing.join(', ')}`).toEqual([]);
  });
});

describe("the recipes' tables", () => {
  it('docs/spec.md has every notification event, and no other', () => {
    const documented = firstColumn(table(section(doc('spec.md'), 'Notifications'), 'event'));
    expect(compare(NOTIFY_EVENT_TYPES, documented)).toEqual({ undocumented: [], unknown: [] });
  });

  it('docs/workflow-contract.md has every update of a rollout, and no other', () => {
    const documented = firstColumn(table(prose(doc('workflow-contract.md')), 'update'));
    expect(compare(Object.keys(rolloutUpdates), documented)).toEqual({ undocumented: [], unknown: [] });
  });
});
