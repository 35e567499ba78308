/**
 * A long-running child this process owns (PostgreSQL, the Temporal server): its output
 * kept in a log file and a short tail for error messages, and a stop that waits for the
 * exit. Every PID here is one we started; nothing is ever signalled by name.
 *
 * The children get their own process group, so a Ctrl-C in the terminal reaches only
 * us and we stop them in order (server before database). To not outlive us when we die
 * without stopping them (SIGKILL, a crashed test worker), they run under `setpriv
 * --pdeathsig` where util-linux has it: the kernel signals them when we are gone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, createWriteStream, type WriteStream } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface OwnedProcessOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Append stdout and stderr here. */
  readonly logFile: string;
  /** Run as this user (only when we are root). */
  readonly user?: { readonly uid: number; readonly gid: number };
  /** What the child gets when we die: the signal it shuts down cleanly on. */
  readonly deathSignal: NodeJS.Signals;
  readonly onLine?: (line: string) => void;
}

export interface OwnedProcess {
  readonly pid: number;
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  running(): boolean;
  /** The last few kB of its output, for error messages. */
  tail(): string;
  /** Sends `signal` and waits for the exit; SIGKILL after `graceMs`. */
  stop(signal: NodeJS.Signals, graceMs: number): Promise<void>;
}

/** The first `name` in the PATH's directories that is an executable file. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

const SETPRIV = process.platform === 'linux' ? findOnPath('setpriv') : undefined;

/**
 * The file and arguments that run `command` so the kernel sends it `deathSignal` when
 * we die (`setpriv --pdeathsig`, which then execs: same PID); `command` as is without setpriv.
 */
export function withDeathSignal(
  command: string,
  args: readonly string[],
  deathSignal: NodeJS.Signals,
): [string, string[]] {
  return SETPRIV ? [SETPRIV, ['--pdeathsig', deathSignal, '--', command, ...args]] : [command, [...args]];
}

export function startOwnedProcess(
  command: string,
  args: readonly string[],
  options: OwnedProcessOptions,
): OwnedProcess {
  // setpriv runs as the target user already (spawn switched), so the death signal it
  // sets is not cleared by a later change of credentials.
  const [file, argv] = withDeathSignal(command, args, options.deathSignal);
  const child: ChildProcess = spawn(file, argv, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.user ? { uid: options.user.uid, gid: options.user.gid } : {}),
  });
  const log: WriteStream = createWriteStream(options.logFile, { flags: 'a' });
  let tail = '';
  let partial = '';
  const collect = (chunk: Buffer) => {
    log.write(chunk);
    const text = chunk.toString();
    tail = (tail + text).slice(-3000);
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) options.onLine?.(line);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    // 'close', not 'exit': the last output has been read (and logged) by then.
    child.once('close', (code, signal) => {
      log.end();
      resolve({ code, signal });
    });
    child.once('error', (error) => {
      tail += `\n${String(error)}`;
      log.end();
      resolve({ code: -1, signal: null });
    });
  });
  let done = false;
  void exited.then(() => (done = true));
  if (child.pid === undefined) done = true;

  return {
    pid: child.pid ?? -1,
    exited,
    running: () => !done,
    tail: () => tail,
    async stop(signal, graceMs) {
      if (done) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resolves when `ready()` says so; rejects when the process exits first or time runs out. */
export async function waitFor(
  what: string,
  proc: OwnedProcess,
  ready: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 200,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (!proc.running()) {
      const { code, signal } = await proc.exited;
      throw new Error(
        `${what}: the process exited (${signal ?? `code ${code}`}) before it was ready:\n${lastLines(proc.tail())}`,
      );
    }
    try {
      if (await ready()) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(
    `${what}: not ready within ${timeoutMs} ms${lastError ? ` (last: ${String(lastError)})` : ''}:\n${lastLines(proc.tail())}`,
  );
}

export const lastLines = (text: string, n = 12): string => text.trim().split('\n').slice(-n).join('\n');
