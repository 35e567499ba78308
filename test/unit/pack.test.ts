/**
 * The package as a user gets it: `npm pack` (whose prepack builds dist/ and the
 * workflow bundle), installed into a fresh project from the npm cache, where
 * `npx fleet` runs the compiled CLI. No Temporal server is needed.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DEFAULT_WORKFLOW_BUNDLE_FILE } from '../../src/workflow-bundle.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const quiet = ['--no-audit', '--no-fund', '--loglevel', 'error'];

describe('the packed package', () => {
  it('installs into a fresh project and `npx fleet --help` lists the commands', { timeout: 180_000 }, async () => {
    const work = mkdtempSync(join(tmpdir(), 'fleet-pack-'));
    onTestFinished(() => rmSync(work, { recursive: true, force: true }));
    const packed = await run('npm', ['pack', '--json', '--pack-destination', work, ...quiet], {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024,
    });
    // The prepack build prints first; npm's JSON report comes last.
    const [pack] = JSON.parse(packed.stdout.slice(packed.stdout.search(/^\[/m))) as [
      { filename: string; files: { path: string }[] },
    ];
    const files = pack.files.map((file) => file.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'bin/fleet.js',
        'dist/cli/main.js',
        'dist/workflows/index.js',
        DEFAULT_WORKFLOW_BUNDLE_FILE,
        'package.json',
      ]),
    );
    // Only what the bin needs: no sources, tests or deployment files.
    expect(
      files.filter((path) => !/^(bin|dist)\//.test(path) && !['package.json', 'README.md'].includes(path)),
    ).toEqual([]);

    const project = join(work, 'project');
    mkdirSync(project);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'fleet-pack-check', version: '1.0.0', private: true }),
    );
    await run('npm', ['install', '--prefer-offline', ...quiet, join(work, pack.filename)], {
      cwd: project,
      maxBuffer: 64 * 1024 * 1024,
    });
    const installed = join(project, 'node_modules', 'fleetwave');
    expect(existsSync(join(installed, DEFAULT_WORKFLOW_BUNDLE_FILE))).toBe(true);
    expect(existsSync(join(installed, 'src'))).toBe(false);

    const help = await run('npx', ['--no-install', 'fleet', '--help'], { cwd: project });
    for (const command of ['simulator', 'worker', 'rollout', 'demo'])
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });
});
