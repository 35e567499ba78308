/** Runs the `fleet` binary as a user would (bin/fleet.js), capturing its exit code and output. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/fleet.js', import.meta.url));

export interface FleetResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function fleet(env: NodeJS.ProcessEnv, ...args: string[]): Promise<FleetResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as FleetResult;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
