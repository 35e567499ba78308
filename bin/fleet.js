#!/usr/bin/env node
// The `fleet` command. An installed package has no src/: it runs the JavaScript that
// `npm pack` built into dist/, on plain Node. A checkout runs its TypeScript sources
// through tsx, even when a dist/ is lying around (`npm run build`, `npm pack`), so
// what runs is never an older build than the code in front of you.
import { existsSync } from 'node:fs';

const sources = new URL('../src/cli/main.ts', import.meta.url);
const compiled = new URL('../dist/cli/main.js', import.meta.url);

if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(sources.href);
} else if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  console.error('fleet: neither src/cli/main.ts nor dist/cli/main.js is here: run `npm run build` in the package');
  process.exitCode = 1;
}
