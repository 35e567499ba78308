/**
 * The format checks of scripts/: long-lines lets a line run over 120 characters only in a
 * string, a template literal or a URL (or the closing punctuation after one), and
 * format-docs formats a markdown file's code blocks and nothing else.
 */
import { describe, expect, it } from 'vitest';
import { formatBlocks } from '../../scripts/format-docs.js';
import { longLines } from '../../scripts/long-lines.js';

const pad = (n: number) => 'x'.repeat(n);

describe('long-lines', () => {
  it('reports code and comments over 120 characters', () => {
    const code = `const ${pad(60)} = someFunction(${pad(40)}, ${pad(30)});`;
    const comment = `// ${pad(130)}`;
    const text = [code, comment, `/** ${pad(120)} */`].join('\n');
    expect(longLines('a.ts', text).map((l) => l.line)).toEqual([1, 2, 3]);
  });

  it('lets strings, templates and URLs run over, with the punctuation that closes them', () => {
    const text = [
      `throw new Error('${pad(130)}');`,
      `  const line = \`${pad(100)} \${value} ${pad(40)}\`;`,
      `  '${pad(116)}',`,
      `// see https://example.com/${pad(120)}`,
      `const short = 1;`,
    ].join('\n');
    expect(longLines('a.ts', text)).toEqual([]);
  });

  it('reports code that follows a long string', () => {
    const text = `call('${pad(110)}', anotherArgument, andOneMore);`;
    expect(longLines('a.ts', text).map((l) => l.line)).toEqual([1]);
  });
});

describe('format-docs', () => {
  it('formats ts and json blocks, and leaves prose, tables, fragments and ignored blocks as written', async () => {
    const prose = '| a | b |\n| --- | --- |\n| *x* | y |\n\nSome   prose.\n';
    const fragment = '```json\n"soak": "1h"\n```\n';
    const ignored = '<!-- prettier-ignore -->\n```ts\nconst  a=1\n```\n';
    const text = `${prose}\n\`\`\`ts\nconst  a = {b:"c"}\n\`\`\`\n\n\`\`\`json\n{"a":1}\n\`\`\`\n\n${fragment}\n${ignored}`;
    const result = await formatBlocks('docs/x.md', text);
    expect(result.changed).toBe(2);
    expect(result.text).toBe(
      `${prose}\n\`\`\`ts\nconst a = { b: 'c' };\n\`\`\`\n\n\`\`\`json\n{ "a": 1 }\n\`\`\`\n\n${fragment}\n${ignored}`,
    );
  });

  it('keeps the indent of a block inside a list item', async () => {
    const text = '- step:\n\n  ```ts\n  const  a=1\n  ```\n';
    expect((await formatBlocks('docs/x.md', text)).text).toBe('- step:\n\n  ```ts\n  const a = 1;\n  ```\n');
  });
});
