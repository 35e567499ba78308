/**
 * The patch table in docs/development.md ("Patches: how they retire") against the code:
 * every `patched(…)`/`deprecatePatch(…)` id in src/workflows, and every patch constant,
 * has its row with the step the code is at (1: patched, 2: deprecatePatch, 3: no call
 * left); no row names a patch the code lost before step 3; each row's file names the
 * patch; and each fixture a row names exists, carrying the patch's marker when it proves
 * the new path and not when it proves the old one. No server needed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HISTORIES_DIR } from '../integration/record-histories.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORKFLOWS = join(ROOT, 'src/workflows');

interface Row {
  readonly id: string;
  readonly file: string;
  readonly step: number;
  readonly newPath: string[];
  readonly oldPath: string[];
}

/** Fixture names in a cell: `a-01, b-02` (a dash or prose in parentheses names none). */
const fixtureNames = (cell: string): string[] =>
  cell
    .replace(/\(.*?\)/g, '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => /^[a-z0-9-]+-\d\d$/.test(name));

function tableRows(): Row[] {
  const doc = readFileSync(join(ROOT, 'docs/development.md'), 'utf8');
  const section = doc.split(/^## /m).find((part) => part.startsWith('Patches: how they retire'));
  if (!section) throw new Error('docs/development.md has no "## Patches: how they retire" section');
  return section
    .split('\n')
    .filter((line) => /^\| `[a-z0-9-]+` \|/.test(line))
    .map((line) => {
      const [id, file, step, , , newPath, oldPath] = line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim());
      return {
        id: id!.replaceAll('`', ''),
        file: file!,
        step: Number(step),
        newPath: fixtureNames(newPath!),
        oldPath: fixtureNames(oldPath!),
      };
    });
}

function sources(dir: string): { path: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .map((path) => ({ path: relative(ROOT, path), text: readFileSync(path, 'utf8') }));
}

/**
 * The patch ids the code uses: step 2 where any call is `deprecatePatch`, else 1; a constant
 * named `*PATCH*` that no call uses is step 3. With the files that call or define each.
 */
function codePatches(): Map<string, { step: number; files: Set<string> }> {
  const files = sources(WORKFLOWS);
  const constants = new Map<string, string>();
  for (const { text } of files)
    for (const [, name, value] of text.matchAll(/const (\w+) = '([a-z0-9-]+)'/g)) constants.set(name!, value!);
  const calls = new Map<string, Set<string>>();
  const where = new Map<string, Set<string>>();
  const add = <T>(map: Map<string, Set<T>>, id: string, value: T) =>
    map.set(id, (map.get(id) ?? new Set<T>()).add(value));
  for (const { path, text } of files) {
    for (const [, call, arg] of text.matchAll(/\b(patched|deprecatePatch)\(\s*('[a-z0-9-]+'|\w+)\s*\)/g)) {
      const id = arg!.startsWith("'") ? arg!.slice(1, -1) : constants.get(arg!);
      if (id === undefined) throw new Error(`${path}: ${call}(${arg}) names no patch constant this test can read`);
      add(calls, id, call!);
      add(where, id, path);
    }
    for (const [, , value] of text.matchAll(/const (\w*PATCH\w*) = '([a-z0-9-]+)'/g)) add(where, value!, path);
  }
  const stepOf = (id: string) => (calls.get(id)?.has('deprecatePatch') ? 2 : calls.has(id) ? 1 : 3);
  return new Map([...where].map(([id, paths]) => [id, { step: stepOf(id), files: paths }]));
}

/** The patch ids whose markers a fixture's histories carry. */
function markers(fixture: string): Set<string> {
  const { workflows } = JSON.parse(readFileSync(join(HISTORIES_DIR, `${fixture}.json`), 'utf8')) as {
    workflows: {
      history: {
        events: { markerRecordedEventAttributes?: { details?: Record<string, { payloads?: { data?: string }[] }> } }[];
      };
    }[];
  };
  const ids = new Set<string>();
  for (const { history } of workflows) {
    for (const { markerRecordedEventAttributes: marker } of history.events) {
      const data = marker?.details?.['patch-data']?.payloads?.[0]?.data;
      if (data) ids.add((JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { id: string }).id);
    }
  }
  return ids;
}

describe('the patch table (docs/development.md)', () => {
  const rows = tableRows();
  const code = codePatches();

  it('is read (the check sees the table and the code)', () => {
    expect(rows.length).toBeGreaterThanOrEqual(5);
    expect(code.size).toBeGreaterThanOrEqual(5);
  });

  it('has every patch id of src/workflows, at the step the code is at', () => {
    const table = new Map(rows.map((row) => [row.id, row.step]));
    const atCode = [...code].map(([id, { step }]) => [id, step]);
    expect(atCode.map(([id]) => [id, table.get(id as string)])).toEqual(atCode);
  });

  it('names no patch the code dropped before step 3', () => {
    expect(rows.filter((row) => row.step !== 3 && !code.has(row.id)).map((row) => row.id)).toEqual([]);
    expect(rows.filter((row) => row.step === 3 && (code.get(row.id)?.step ?? 3) !== 3).map((row) => row.id)).toEqual(
      [],
    );
  });

  it('names, for each patch, a file that uses it', () => {
    const wrong = rows.filter((row) => row.step !== 3 && !code.get(row.id)?.files.has(row.file));
    expect(wrong.map((row) => `${row.id}: ${row.file}`)).toEqual([]);
  });

  it('names fixtures that exist, with the marker on the new path and without it on the old', () => {
    const fixtures = new Set(readdirSync(HISTORIES_DIR).map((name) => name.replace(/\.json$/, '')));
    const problems: string[] = [];
    for (const row of rows) {
      for (const name of [...row.newPath, ...row.oldPath])
        if (!fixtures.has(name)) problems.push(`${row.id}: ${name} does not exist`);
      for (const name of row.newPath.filter((n) => fixtures.has(n)))
        if (!markers(name).has(row.id)) problems.push(`${row.id}: ${name} lacks its marker`);
      for (const name of row.oldPath.filter((n) => fixtures.has(n)))
        if (markers(name).has(row.id)) problems.push(`${row.id}: ${name} has its marker`);
    }
    expect(problems).toEqual([]);
  });
});
