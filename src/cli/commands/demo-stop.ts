/**
 * How `fleet demo` ends (issue 17). A Ctrl-C reaches the terminal's whole process group:
 * npm, tsx, this process, and once the dev server too, which then died under the worker
 * while it drained, and the worker hung in its shutdown for minutes. Now the dev server
 * runs in a group of its own (dev-server.ts `ownProcessGroup`) and the first SIGINT or
 * SIGTERM stops everything in order within DEMO_STOP_MS, whatever has died already: the
 * worker while the server still answers, then the connections, the simulator, the dev
 * server. A step that overruns its time is left behind; at the deadline, or at a second
 * signal, the dev server is killed and the process exits.
 */

/** From the first signal to the last process gone. */
export const DEMO_STOP_MS = 10_000;
/**
 * The demo worker's shutdownGraceTime: running activities get this long; the rest of
 * DEMO_STOP_MS is the dev server's.
 */
export const DEMO_WORKER_GRACE_MS = 6_000;
/** Kept back from DEMO_STOP_MS for the kill and the exit themselves. */
const MARGIN_MS = 500;
/**
 * A second signal this soon after the first is the same Ctrl-C, relayed (tsx's parent
 * does so when it misses the child's acknowledgement).
 */
const SAME_CTRL_C_MS = 1000;

/** The demo stopped on a signal before its work was done. */
export class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted (${signal})`);
  }
}

interface Step {
  readonly name: string;
  /** Gets the milliseconds left before the deadline. */
  readonly run: (leftMs: number) => Promise<void>;
  readonly withinMs: number;
}

export class DemoStop {
  private readonly steps: Step[] = [];
  private readonly kills: (() => void)[] = [];
  private signal: NodeJS.Signals | undefined;
  private signalAt: number | undefined;
  private resolveSignal!: (signal: NodeJS.Signals) => void;
  /** Resolves with the first SIGINT or SIGTERM. */
  readonly signalled = new Promise<NodeJS.Signals>((resolve) => (this.resolveSignal = resolve));

  constructor(private readonly say: (line: string) => void) {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  /**
   * `run` stops one thing, before those registered earlier, in at most `withinMs`;
   * `kill` (synchronous) is what the deadline does to it if it still runs then.
   */
  onStop(name: string, run: (leftMs: number) => Promise<void>, withinMs: number, kill?: () => void): void {
    this.steps.unshift({ name, run, withinMs });
    if (kill) this.kills.push(kill);
  }

  /** Whether a signal came: the process exits once the steps ran. */
  get interrupted(): boolean {
    return this.signal !== undefined;
  }

  /** `work`'s result, or Interrupted when a signal comes first. */
  race<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.signalled.then((signal) => Promise.reject(new Interrupted(signal)))]);
  }

  /**
   * Runs every step in order, each within its time and before the deadline. Returns
   * whether the process should exit now rather than wait for its handles: it stopped on
   * a signal, or a step overran (a worker whose server is gone never finishes draining).
   */
  async stop(): Promise<boolean> {
    const deadline = (this.signalAt ?? Date.now()) + DEMO_STOP_MS - MARGIN_MS;
    let overran = false;
    for (const step of this.steps) {
      const leftMs = deadline - Date.now();
      const withinMs = Math.max(0, Math.min(step.withinMs, leftMs));
      if (!(await finishes(step.run(leftMs), withinMs))) {
        overran = true;
        this.say(`${step.name} did not stop within ${withinMs} ms; going on`);
      }
    }
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, this.onSignal);
    if (this.signal) this.say(`stopped after ${Date.now() - this.signalAt!} ms`);
    return overran || this.signal !== undefined;
  }

  /** Exits with the demo's outcome when it got that far, else as a process ended by `signal` does. */
  exit(): never {
    const code = process.exitCode ?? 128 + (this.signal === 'SIGTERM' ? 15 : 2);
    process.exit(code);
  }

  private readonly onSignal = (signal: NodeJS.Signals): void => {
    if (this.signal) {
      // tsx relays the terminal's signal once more when it missed our acknowledgement: the same Ctrl-C.
      if (Date.now() - this.signalAt! < SAME_CTRL_C_MS) return;
      this.say(`${signal} again: killing the rest now`);
      this.killAll();
    }
    this.signal = signal;
    this.signalAt = Date.now();
    this.say(`${signal}: stopping the worker, the simulator and the dev server (within ${DEMO_STOP_MS / 1000} s)`);
    setTimeout(() => {
      this.say(`not stopped within ${DEMO_STOP_MS / 1000} s: killing the rest`);
      this.killAll();
    }, DEMO_STOP_MS - MARGIN_MS).unref();
    this.resolveSignal(signal);
  };

  private killAll(): never {
    for (const kill of this.kills) {
      try {
        kill();
      } catch {
        // already gone
      }
    }
    this.exit();
  }
}

/** Whether `work` settles (either way) within `ms`. */
async function finishes(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
