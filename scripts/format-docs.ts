/**
 * Prettier for the code blocks of README.md and docs/*.md, not their prose. Prettier on
 * a whole markdown file pads every table to its widest row (200+ characters here, and a
 * one-row edit re-pads the table) and the tests read those tables and lines as written
 * (test/unit/docs.test.ts, test/integration/doc-filters.test.ts, exit-codes.test.ts), so
 * .prettierignore skips *.md and this formats only the ts, js and json blocks. YAML blocks
 * are spec examples with comments aligned by hand, which prettier's YAML would not keep.
 * A block after `<!-- prettier-ignore -->` stays as written, and so does one that does not
 * parse (a fragment such as `"soak": "1h"`), as prettier's own markdown embedding does.
 * Usage: `tsx scripts/format-docs.ts --check | --write [file.md ...]`.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as prettier from 'prettier';

const PARSERS: Readonly<Record<string, string>> = {
  ts: 'typescript',
  typescript: 'typescript',
  js: 'babel',
  javascript: 'babel',
  json: 'json',
  jsonc: 'json',
};

/** A fenced block: its indent, info string, code and where the code sits in the text. */
const FENCE = /^([ \t]*)(```+)([\w-]*)[^\n]*\n([\s\S]*?)^\1\2[ \t]*$/gm;

export interface BlockResult {
  readonly text: string;
  readonly changed: number;
}

export async function formatBlocks(path: string, text: string): Promise<BlockResult> {
  const options = (await prettier.resolveConfig(path)) ?? {};
  let changed = 0;
  let out = '';
  let last = 0;
  for (const match of text.matchAll(FENCE)) {
    const [whole, indent = '', , lang = '', code = ''] = match;
    const parser = PARSERS[lang];
    const ignored = /<!--\s*prettier-ignore\s*-->\s*$/.test(text.slice(0, match.index));
    if (parser === undefined || ignored) continue;
    const dedented = code.replace(new RegExp(`^${indent}`, 'gm'), '');
    let formatted: string;
    try {
      formatted = await prettier.format(dedented, { ...options, parser });
    } catch {
      continue;
    }
    if (formatted === dedented) continue;
    changed++;
    const reindented = formatted.replace(/^(?=.)/gm, indent);
    const codeStart = match.index + whole.indexOf('\n') + 1;
    out += text.slice(last, codeStart) + reindented;
    last = codeStart + code.length;
  }
  return { text: out + text.slice(last), changed };
}

function markdownFiles(): string[] {
  const docs = readdirSync('docs')
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => join('docs', name));
  return ['README.md', ...docs];
}

async function main(args: readonly string[]): Promise<number> {
  const write = args.includes('--write');
  if (!write && !args.includes('--check')) {
    console.error('usage: tsx scripts/format-docs.ts --check | --write [file.md ...]');
    return 2;
  }
  const given = args.filter((a) => !a.startsWith('--'));
  let failed = false;
  for (const path of given.length > 0 ? given : markdownFiles()) {
    const text = readFileSync(path, 'utf8');
    const result = await formatBlocks(path, text);
    if (result.changed === 0) continue;
    if (write) {
      writeFileSync(path, result.text);
      console.log(`${path}: ${result.changed} code block(s) formatted`);
    } else {
      console.log(`${path}: ${result.changed} code block(s) not formatted (npm run format)`);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
