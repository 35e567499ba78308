/**
 * `npm run temporal:install`: puts the pinned Temporal CLI into .fleetwave/ (or reports
 * the one already found) and prints its path. CI runs it before the tests.
 */
import { execFileSync } from 'node:child_process';
import { findTemporalCli } from './temporal-cli.js';

const cli = await findTemporalCli({ install: true, onProgress: (line) => console.error(line) });
if (cli.kind === 'binary') {
  const version = execFileSync(cli.path, ['--version'], { encoding: 'utf8' }).trim();
  console.log(`${cli.path} (${cli.source}): ${version}`);
} else {
  console.log(`no binary; the SDK will download Temporal CLI ${cli.version}`);
}
