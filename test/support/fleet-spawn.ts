/**
 * Runs the `fleet` binary in the background, for a test that acts while it waits (ends
 * its rollout, starts a worker) and reads what it said so far.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FleetResult } from './fleet-cli.js';

const BIN = fileURLToPath(new URL('../../bin/fleet.js', import.meta.url));

export interface RunningFleet {
  /** What it wrote to stdout and stderr so far. */
  output(): { stdout: string; stderr: string };
  /** Its exit code and all it wrote. */
  readonly done: Promise<FleetResult>;
  kill(): void;
}

export function spawnFleet(env: NodeJS.ProcessEnv, ...args: string[]): RunningFleet {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<FleetResult>((resolve) =>
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })),
  );
  return { output: () => ({ stdout, stderr }), done, kill: () => child.kill() };
}
