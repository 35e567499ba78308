/**
 * Runs `fleet demo --keep` as a user's terminal would: `npx tsx src/cli/main.ts demo`
 * in a process group of its own (npx, sh, tsx and node all in it, as under `npm run
 * demo`), so a test can send one SIGINT to the whole group as Ctrl-C does. What the demo
 * started is found from outside: the processes of its group and the dev server by its
 * command line in /proc (it may run in a group of its own), its ports in /proc/net.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { listeningAddresses } from './listening.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface KeptDemo {
  readonly child: ChildProcess;
  /** The process group: npx's pid. */
  readonly pgid: number;
  /** `host:port` of its Temporal dev server, and the ports it listens on (frontend, Web UI, simulator). */
  readonly address: string;
  readonly ports: readonly number[];
  readonly simUrl: string;
  /** Every line it wrote, stdout and stderr, in order. */
  readonly lines: readonly string[];
  /** `export NAME=value` lines it printed, as a map. */
  readonly exports: Readonly<Record<string, string>>;
  readonly exited: Promise<void>;
}

/** Starts the demo and resolves once it keeps running after its rollouts ("running until Ctrl-C"). */
export async function startKeptDemo(clusters: number, timeoutMs = 150_000): Promise<KeptDemo> {
  const child = spawn('npx', ['tsx', 'src/cli/main.ts', 'demo', '--keep', '--clusters', String(clusters)], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, FLEET_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let exitedYet = false;
  void exited.then(() => (exitedYet = true));
  for (const stream of [child.stdout!, child.stderr!])
    createInterface({ input: stream }).on('line', (line) => lines.push(line));
  const deadline = Date.now() + timeoutMs;
  while (!lines.some((l) => l.includes('running until Ctrl-C'))) {
    if (exitedYet || Date.now() > deadline) {
      if (!exitedYet) process.kill(-child.pid!, 'SIGKILL');
      throw new Error(`the demo did not reach "running until Ctrl-C":\n${lines.join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const text = lines.join('\n');
  const [, address, uiPort] = /Temporal at (\S+), Web UI at http:\/\/[\d.]+:(\d+)/.exec(text) ?? [];
  const [, simUrl] = /simulator at (http:\/\/[\d.]+:\d+)/.exec(text) ?? [];
  if (!address || !uiPort || !simUrl)
    throw new Error(`the demo did not say where its server and simulator are:\n${text}`);
  const exports = Object.fromEntries(
    lines.flatMap((l) => {
      const m = /^\s*export ([A-Z_]+)=(.*)$/.exec(l);
      return m ? [[m[1]!, m[2]!.replace(/^'(.*)'$/, '$1')]] : [];
    }),
  );
  const ports = [Number(address.split(':')[1]), Number(uiPort), Number(new URL(simUrl).port)];
  return { child, pgid: child.pid!, address, ports, simUrl, lines, exports, exited };
}

interface ProcStat {
  readonly pid: number;
  readonly state: string;
  readonly pgid: number;
}

function procStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // `pid (comm) state ppid pgrp ...`: comm may hold spaces, so split after its ')'.
    const [state, , pgid] = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, state: state!, pgid: Number(pgid) };
  } catch {
    return undefined;
  }
}

const allPids = (): number[] =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);

/** Processes of group `pgid` that still run (zombies waiting to be reaped do not count). */
export const liveInGroup = (pgid: number): number[] =>
  allPids().flatMap((pid) => {
    const stat = procStat(pid);
    return stat && stat.pgid === pgid && stat.state !== 'Z' ? [pid] : [];
  });

/** The live `temporal server start-dev` serving on `port`, wherever its group. */
export function devServerPids(port: number): number[] {
  return allPids().filter((pid) => {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const at = argv.indexOf('--port');
      return argv.includes('start-dev') && at >= 0 && argv[at + 1] === String(port) && procStat(pid)?.state !== 'Z';
    } catch {
      return false;
    }
  });
}

/** What is left of the demo: live processes of its group, its dev server, and its ports still listening. */
export function leftOf(demo: KeptDemo): { group: number[]; devServer: number[]; listening: number[] } {
  return {
    group: liveInGroup(demo.pgid),
    devServer: devServerPids(demo.ports[0]!),
    listening: demo.ports.filter((port) => listeningAddresses(port).length > 0),
  };
}
