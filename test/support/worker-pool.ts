/**
 * A few worker processes on one task queue, for the chaos drills (test/chaos/): the
 * test plays the supervisor (systemd, a Kubernetes Deployment), SIGKILLs one of them,
 * chosen by a seeded draw, and starts a fresh one in its place, again and again.
 */
import { SeededRandom } from '../../src/simulator/random.js';
import {
  startWorkerProcess,
  type WorkerExit,
  type WorkerProcess,
  type WorkerProcessOptions,
} from './worker-process.js';

export interface WorkerKill {
  readonly pid: number;
  readonly exit: WorkerExit;
  /** Whether the killed process had run an activity (one of its log lines names an `activityType`): the kill hit a working worker. */
  readonly hadWorked: boolean;
}

export interface WorkerPool {
  /** The processes running now. */
  readonly live: readonly WorkerProcess[];
  /** Processes started so far, the first ones included. */
  readonly started: number;
  readonly kills: readonly WorkerKill[];
  /** SIGKILLs one live process (no graceful shutdown, no goodbye to the server) and waits for its exit. */
  killOne(): Promise<WorkerKill>;
  /** Starts one more process, e.g. the replacement of a killed one; resolves once it runs. */
  startOne(): Promise<WorkerProcess>;
  /** Stops every live process (SIGTERM). */
  stop(): Promise<void>;
}

export async function startWorkerPool(
  size: number,
  options: WorkerProcessOptions & { readonly seed: number },
): Promise<WorkerPool> {
  const random = new SeededRandom(options.seed);
  const live: WorkerProcess[] = await Promise.all(Array.from({ length: size }, () => startWorkerProcess(options)));
  const kills: WorkerKill[] = [];
  let started = size;

  return {
    live,
    get started() {
      return started;
    },
    kills,
    killOne: async () => {
      if (live.length === 0) throw new Error('no live worker process to kill');
      const victim = live.splice(random.int(0, live.length - 1), 1)[0]!;
      const exit = await victim.stop('SIGKILL');
      const kill: WorkerKill = {
        pid: victim.child.pid!,
        exit,
        hadWorked: victim.lines.some((line) => line.includes('"activityType"')),
      };
      kills.push(kill);
      return kill;
    },
    startOne: async () => {
      const worker = await startWorkerProcess(options);
      live.push(worker);
      started++;
      return worker;
    },
    stop: async () => {
      await Promise.all(live.splice(0).map((worker) => worker.stop()));
    },
  };
}
