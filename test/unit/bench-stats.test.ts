/**
 * The bench's readings of a server (bench/proc-stats.ts, bench/server-metrics.ts): CPU
 * of a process tree from /proc stat lines, and persistence counters from Prometheus text.
 */
import { describe, expect, it } from 'vitest';
import { parseProcStat, treeCpuSecondsOf, type ProcStat } from '../../bench/proc-stats.js';
import { counterDelta, perCluster, persistenceCounters } from '../../bench/server-metrics.js';
import { parseExposition } from '../support/metrics-scrape.js';

/** A stat line as the kernel writes it (fields after cstime left as in a real line). */
const statLine = (pid: number, comm: string, ppid: number, utime: number, stime: number, cutime = 0, cstime = 0) =>
  `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194560 1411 0 0 0 ${utime} ${stime} ${cutime} ${cstime} 20 0 1 0 2261043 226447360 5120 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0`;

describe('parseProcStat', () => {
  it('reads pid, ppid and the four CPU fields', () => {
    expect(parseProcStat(statLine(4242, 'postgres', 4200, 150, 30, 7, 3))).toEqual({
      pid: 4242,
      ppid: 4200,
      utime: 150,
      stime: 30,
      cutime: 7,
      cstime: 3,
    });
  });

  it('takes a command name with spaces and parentheses', () => {
    const stat = parseProcStat(statLine(77, 'postgres: temporal temporal 127.0.0.1(5432) idle', 1, 12, 4));
    expect(stat).toMatchObject({ pid: 77, ppid: 1, utime: 12, stime: 4 });
  });

  it('matches a real line of this process', async () => {
    const { readFile } = await import('node:fs/promises');
    const stat = parseProcStat(await readFile('/proc/self/stat', 'utf8'));
    expect(stat.pid).toBeGreaterThan(0);
    expect(stat.utime + stat.stime).toBeGreaterThan(0);
  });

  it('refuses what is not a stat line', () => {
    expect(() => parseProcStat('no parentheses here')).toThrow(/not a \/proc/);
    expect(() => parseProcStat('12 (x) S')).toThrow(/not a \/proc/);
  });
});

describe('treeCpuSecondsOf', () => {
  const stats: ProcStat[] = [
    // The postmaster, having reaped backends that spent 40 + 10 ticks.
    { pid: 100, ppid: 1, utime: 200, stime: 50, cutime: 40, cstime: 10 },
    { pid: 101, ppid: 100, utime: 300, stime: 100, cutime: 0, cstime: 0 },
    { pid: 102, ppid: 100, utime: 25, stime: 25, cutime: 0, cstime: 0 },
    // A grandchild, and processes outside the tree.
    { pid: 103, ppid: 101, utime: 10, stime: 0, cutime: 0, cstime: 0 },
    { pid: 1, ppid: 0, utime: 9999, stime: 9999, cutime: 9999, cstime: 9999 },
    { pid: 200, ppid: 1, utime: 5000, stime: 0, cutime: 0, cstime: 0 },
  ];

  it('sums the root, its live descendants and the children each has reaped', () => {
    expect(treeCpuSecondsOf(stats, 100)).toBe((200 + 50 + 40 + 10 + 300 + 100 + 25 + 25 + 10) / 100);
  });

  it('a subtree counts only itself', () => {
    expect(treeCpuSecondsOf(stats, 101)).toBe(4.1);
    expect(treeCpuSecondsOf(stats, 103, 1000)).toBe(0.01);
  });

  it('undefined when the root is gone', () => {
    expect(treeCpuSecondsOf(stats, 999)).toBeUndefined();
  });

  it('a backend that ended between two readings is still in the difference (its postmaster reaped it)', () => {
    const before = stats;
    const after = stats
      .filter((s) => s.pid !== 102)
      .map((s) => (s.pid === 100 ? { ...s, cutime: s.cutime + 25 + 5, cstime: s.cstime + 25 } : s));
    expect(treeCpuSecondsOf(after, 100)! - treeCpuSecondsOf(before, 100)!).toBeCloseTo(0.05, 10);
  });
});

const METRICS = `# HELP persistence_requests persistence_requests counter
# TYPE persistence_requests counter
persistence_requests{operation="UpdateWorkflowExecution",service_name="history"} 1500
persistence_requests{operation="UpdateWorkflowExecution",service_name="frontend"} 20
persistence_requests{operation="GetNamespace",service_name="frontend"} 30
persistence_requests{service_name="worker"} 2
# TYPE persistence_latency histogram
persistence_latency_bucket{operation="UpdateWorkflowExecution",le="+Inf"} 1520
persistence_latency_sum{operation="UpdateWorkflowExecution"} 3.04
persistence_latency_count{operation="UpdateWorkflowExecution"} 1520
persistence_latency_sum{operation="GetNamespace"} 0.03
service_requests{operation="StartWorkflowExecution"} 7
`;

describe('persistenceCounters', () => {
  it('sums persistence_requests per operation over the other labels, and the latency sums', () => {
    const counters = persistenceCounters(parseExposition(METRICS))!;
    expect(Object.fromEntries(counters.requests)).toEqual({ UpdateWorkflowExecution: 1520, GetNamespace: 30, '?': 2 });
    expect(Object.fromEntries(counters.latencySeconds!)).toEqual({ UpdateWorkflowExecution: 3.04, GetNamespace: 0.03 });
  });

  it('takes the counter with the _total suffix too', () => {
    const counters = persistenceCounters(parseExposition('persistence_requests_total{operation="GetNamespace"} 4\n'))!;
    expect(Object.fromEntries(counters.requests)).toEqual({ GetNamespace: 4 });
    expect(counters.latencySeconds).toBeUndefined();
  });

  it('undefined, not zero, when the server exposes no persistence_requests', () => {
    expect(persistenceCounters(parseExposition('service_requests{operation="X"} 7\n'))).toBeUndefined();
    expect(persistenceCounters([])).toBeUndefined();
  });
});

describe('counterDelta and perCluster', () => {
  it('subtracts per operation; an operation first seen later counts from zero', () => {
    const delta = counterDelta(
      new Map([
        ['A', 10],
        ['B', 5],
      ]),
      new Map([
        ['A', 110],
        ['B', 5],
        ['C', 40],
      ]),
    );
    expect(Object.fromEntries(delta)).toEqual({ A: 100, B: 0, C: 40 });
  });

  it('divides by the clusters, largest first, leaves out what did not move, keeps the top n', () => {
    const counts = new Map([
      ['A', 100],
      ['B', 0],
      ['C', 40],
      ['D', 1],
    ]);
    expect(perCluster(counts, 20)).toEqual({ total: 7.05, byOperation: { A: 5, C: 2, D: 0.05 } });
    expect(Object.keys(perCluster(counts, 20, 1).byOperation)).toEqual(['A']);
  });
});
