/**
 * Runs `src/worker.ts` in a process of its own, as `fleet worker` would run in
 * production, against the dev server of global-setup.ts: for tests that need a second
 * worker, or a worker's own metrics endpoint, logs, signals and exit code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface WorkerProcessOptions {
  readonly taskQueue: string;
  /** On top of this process's environment and the Temporal address, e.g. a harness's `env`. */
  readonly env?: Readonly<Record<string, string>>;
  /** A Temporal server of the test's own (e.g. one it restarts); global-setup.ts's dev server when absent. */
  readonly temporal?: { readonly address: string; readonly namespace: string };
}

export interface WorkerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  /** Every line the worker wrote to stdout so far (its JSON log lines), in order. */
  readonly lines: readonly string[];
  /** Every line it wrote to stderr so far (also passed on to this process's stderr). */
  readonly errorLines: readonly string[];
  /** Resolves when the process has exited and its output was read. */
  readonly exited: Promise<WorkerExit>;
  /** The first stdout line (already written or still to come) that matches; rejects when the process exits first. */
  waitForLine(matches: (line: string) => boolean): Promise<string>;
  /** Sends `signal` (SIGTERM by default) unless the process has exited, and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<WorkerExit>;
}

/** Starts the worker process on `taskQueue`; resolves once it logged "worker started". */
export async function startWorkerProcess(options: WorkerProcessOptions): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      FLEET_LOG_LEVEL: 'info',
      ...options.env,
      TEMPORAL_ADDRESS: options.temporal?.address ?? inject('temporalAddress'),
      TEMPORAL_NAMESPACE: options.temporal?.namespace ?? inject('temporalNamespace'),
      FLEET_TASK_QUEUE: options.taskQueue,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const errorLines: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    errorLines.push(line);
    process.stderr.write(`${line}\n`);
  });
  // 'close', not 'exit': stdout has been read to its end by then, so no line is missed.
  const exited = once(child, 'close').then(([code, signal]) => ({ code, signal }) as WorkerExit);
  const lines: string[] = [];
  const waiters = new Set<{ matches: (line: string) => boolean; resolve: (line: string) => void }>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const waiter of waiters) {
      if (!waiter.matches(line)) continue;
      waiters.delete(waiter);
      waiter.resolve(line);
    }
  });

  const waitForLine = (matches: (line: string) => boolean): Promise<string> => {
    const seen = lines.find(matches);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise<string>((resolve, reject) => {
      const waiter = { matches, resolve };
      waiters.add(waiter);
      void exited.then(({ code, signal }) => {
        if (!waiters.delete(waiter)) return;
        reject(
          new Error(
            `the worker process exited (code ${code}, signal ${signal}) before writing the line awaited; its output:\n${lines.join('\n')}`,
          ),
        );
      });
    });
  };
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<WorkerExit> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };

  try {
    await waitForLine((line) => line.includes('"worker started"'));
  } catch (error) {
    await stop('SIGKILL');
    throw error;
  }
  return { child, lines, errorLines, exited, waitForLine, stop };
}

/** A loopback port free right now, e.g. for a worker's FLEET_METRICS_ADDRESS. */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}
