/**
 * Fails on TypeScript lines over 120 characters that prettier cannot wrap: comments and
 * code it leaves long. A line may run over only where its overflow (from column 121 on)
 * is inside a string literal, a template literal or a URL: breaking those would change
 * a message or a link. Usage: `tsx scripts/long-lines.ts [dir or file ...]` (default: src).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

export const MAX_COLUMNS = 120;
const URL_PATTERN = /\bhttps?:\/\/[^\s'"`<>)\]]+/g;

type Range = readonly [start: number, end: number];

/** The source ranges of string and template literals (a template with its substitutions). */
function literalRanges(file: ts.SourceFile): Range[] {
  const ranges: Range[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node)) {
      ranges.push([node.getStart(file), node.getEnd()]);
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return ranges;
}

export interface LongLine {
  readonly line: number;
  readonly length: number;
  readonly text: string;
}

/** The lines of `text` over the limit whose overflow is not inside a literal or a URL. */
export function longLines(path: string, text: string): LongLine[] {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const literals = literalRanges(file);
  const found: LongLine[] = [];
  let lineStart = 0;
  text.split('\n').forEach((line, index) => {
    const overflow = lineStart + MAX_COLUMNS;
    const lineEnd = lineStart + line.length;
    // Over in a literal, or just after one that only closing punctuation follows (`...',` or `...`);`).
    const inLiteral = () =>
      literals.some(
        ([start, end]) =>
          start < overflow && (overflow < end || (end <= lineEnd && /^[)\]},;]*$/.test(text.slice(end, lineEnd)))),
      );
    const inUrl = () =>
      [...line.matchAll(URL_PATTERN)].some((m) => m.index < MAX_COLUMNS && MAX_COLUMNS < m.index + m[0].length);
    if (line.length > MAX_COLUMNS && !inLiteral() && !inUrl()) {
      found.push({ line: index + 1, length: line.length, text: line });
    }
    lineStart += line.length + 1;
  });
  return found;
}

function sourceFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return /\.(c|m)?tsx?$/.test(path) ? [path] : [];
  return readdirSync(path)
    .sort()
    .flatMap((name) => sourceFiles(join(path, name)));
}

function main(paths: readonly string[]): number {
  let count = 0;
  for (const path of paths.flatMap(sourceFiles)) {
    for (const long of longLines(path, readFileSync(path, 'utf8'))) {
      console.log(`${path}:${long.line}: ${long.length} characters`);
      count++;
    }
  }
  if (count > 0) console.error(`long-lines: ${count} line(s) over ${MAX_COLUMNS} characters outside a string or URL`);
  return count === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  process.exitCode = main(args.length > 0 ? args : ['src']);
}
