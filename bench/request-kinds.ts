/**
 * What a run asked of the simulated Aether, by kind, per cluster: list pages, single
 * cluster reads, PUTs (`GET /_sim/calls`). Where the requests go is what a rate limit
 * makes the makespan of (issue 20).
 */
interface Call {
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

export async function requestKindsPerCluster(simUrl: string, clusters: number): Promise<Record<string, number>> {
  const { calls } = (await (await fetch(`${simUrl}/_sim/calls?platform=aether`)).json()) as { calls: Call[] };
  const counts: Record<string, number> = {};
  for (const call of calls) {
    const what = /\/clusters$/.test(call.path.split('?')[0]!) ? 'list page' : 'cluster';
    const kind = `${call.method} ${what}${call.status === 429 ? ' (429)' : ''}`;
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return Object.fromEntries(
    Object.entries(counts)
      .sort(([, a], [, b]) => b - a)
      .map(([kind, n]) => [kind, Math.round((n / clusters) * 100) / 100]),
  );
}
