/**
 * `fleet`: the operator's command line. Every failure is one clear line on stderr
 * (no stack trace; FLEET_DEBUG=1 shows it) and a non-zero exit code:
 * 1 a rollout did not fully succeed or a runtime error, 2 bad input.
 */
import { CommanderError } from 'commander';
import { UsageError } from './errors.js';
import { buildProgram } from './program.js';

export async function main(argv = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    console.error(`fleet: ${message}`);
    if (process.env.FLEET_DEBUG === '1' && error instanceof Error) console.error(error.stack);
    process.exitCode = error instanceof UsageError ? error.exitCode : 1;
  }
}

await main();
