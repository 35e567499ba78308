/**
 * What a process cost, from Linux's /proc: peak resident memory (VmHWM, kept by the
 * kernel, so no sampling can miss a spike) and CPU seconds (user + system). How the
 * bench says where the time went: worker, Temporal server, PostgreSQL or simulator.
 *
 * A process tree's CPU (`treeCpuSeconds`): PostgreSQL is a postmaster and a backend per
 * connection, started and ended as the server's pools open and close them. Each live
 * process of the tree counts its own time (utime + stime) and that of the children it
 * has reaped (cutime + cstime): a backend that ended is in its postmaster's cutime, so
 * the difference of two readings is what the tree spent between them.
 */
import { readdir, readFile } from 'node:fs/promises';

const CLOCK_TICKS = 100; // USER_HZ on Linux

export interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  /** Clock ticks: its own user and system time. */
  readonly utime: number;
  readonly stime: number;
  /** Clock ticks: user and system time of the children it has waited for. */
  readonly cutime: number;
  readonly cstime: number;
}

/** One `/proc/<pid>/stat` line (the command name may hold spaces and parentheses). */
export function parseProcStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`not a /proc/<pid>/stat line: ${text.slice(0, 80)}`);
  const pid = Number(text.slice(0, open).trim());
  // After ") ": state (field 3), ppid (4), ... utime (14), stime (15), cutime (16), cstime (17).
  const fields = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const at = (field: number) => Number(fields[field - 3]);
  const stat = { pid, ppid: at(4), utime: at(14), stime: at(15), cutime: at(16), cstime: at(17) };
  if (Object.values(stat).some((v) => !Number.isFinite(v)))
    throw new Error(`not a /proc/<pid>/stat line: ${text.slice(0, 80)}`);
  return stat;
}

/**
 * CPU seconds of `root` and its live descendants, each with its reaped children, from
 * the stats of every process; undefined when `root` is not among them.
 */
export function treeCpuSecondsOf(
  stats: readonly ProcStat[],
  root: number,
  clockTicks = CLOCK_TICKS,
): number | undefined {
  const byPid = new Map(stats.map((s) => [s.pid, s]));
  if (!byPid.has(root)) return undefined;
  const children = new Map<number, number[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.pid]);
  let ticks = 0;
  const seen = new Set<number>();
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const s = byPid.get(pid)!;
    ticks += s.utime + s.stime + s.cutime + s.cstime;
    queue.push(...(children.get(pid) ?? []));
  }
  return ticks / clockTicks;
}

async function readStat(pid: number | string): Promise<ProcStat | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return text ? parseProcStat(text) : undefined;
}

/** Every process's stat (those that end while being read are left out). */
export async function allProcStats(): Promise<ProcStat[]> {
  const stats = await Promise.all(
    (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry)).map((entry) => readStat(entry)),
  );
  return stats.filter((s): s is ProcStat => s !== undefined);
}

/** CPU seconds of a process tree now (see the module comment); undefined when `root` is gone. */
export async function treeCpuSeconds(root: number): Promise<number | undefined> {
  return treeCpuSecondsOf(await allProcStats(), root);
}

export async function peakRssBytes(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
  const kb = status?.match(/^VmHWM:\s+(\d+) kB/m)?.[1];
  return kb === undefined ? undefined : Number(kb) * 1024;
}

/** CPU seconds (user + system) of one process, not counting its children. */
export async function cpuSeconds(pid: number): Promise<number | undefined> {
  const stat = await readStat(pid);
  return stat ? (stat.utime + stat.stime) / CLOCK_TICKS : undefined;
}

/** The first process whose command line contains every one of `parts`. */
export async function findProcess(...parts: string[]): Promise<number | undefined> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const line = cmdline.replaceAll('\0', ' ');
    if (parts.every((p) => line.includes(p))) return Number(entry);
  }
  return undefined;
}
