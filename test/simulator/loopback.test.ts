/**
 * `fleet simulator` without `--host` listens on 127.0.0.1 only: its `/_sim/` routes
 * have no auth. Checked on the kernel's socket table and by connecting, from outside
 * the process; and the same check shown to notice a simulator told to bind everywhere.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/index.js';
import { accepts, listeningAddresses } from '../support/listening.js';

const BIN = fileURLToPath(new URL('../../bin/fleet.js', import.meta.url));
const children: ChildProcess[] = [];

/** Starts `fleet simulator` with `args`; resolves with the port it printed. */
async function fleetSimulator(...args: string[]): Promise<number> {
  const child = spawn(
    process.execPath,
    [BIN, 'simulator', '--port', '0', '--avisi-clusters', '1', '--aether-clusters', '1', ...args],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  const lines = createInterface({ input: child.stdout! });
  const exited = once(child, 'exit').then(() => {
    throw new Error('fleet simulator exited before it listened');
  });
  const listening = new Promise<number>((resolve) => {
    lines.on('line', (line) => {
      const match = /^simulator listening on http:\/\/[^\s]+:(\d+)/.exec(line);
      if (match) resolve(Number(match[1]));
    });
  });
  return Promise.race([listening, exited]);
}

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode !== null) continue;
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
});

describe('where the simulator listens', () => {
  it('binds 127.0.0.1 only when no --host is given', async () => {
    const port = await fleetSimulator();
    expect(listeningAddresses(port)).toEqual(['127.0.0.1']);
    expect(await accepts('127.0.0.1', port)).toBe(true);
    expect(await accepts('127.0.0.2', port)).toBe(false);
  }, 60_000);

  it('binds where --host says (the check above would catch it)', async () => {
    const everywhere = await startSimulator({
      host: '0.0.0.0',
      generate: { avisi: { clusters: 1 }, aether: { clusters: 1 } },
    });
    try {
      const port = Number(new URL(everywhere.url).port);
      expect(listeningAddresses(port)).toEqual(['0.0.0.0']);
      expect(await accepts('127.0.0.2', port)).toBe(true);
    } finally {
      await everywhere.close();
    }
  });
});
