/**
 * `runPreChecks` against the real simulator (the cluster's read) and a local endpoint
 * whose answers the test scripts: one evaluation decides (a definite "no" fails at once,
 * without waiting for the timeout); only transient answers (503, 429, no answer) are asked
 * again within the timeout; the target's templates are filled from the request and the
 * cluster's version as the platform reads it.
 */
import { createServer, type Server } from 'node:http';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPreCheckActivities, type RunPreChecksInput } from '../../src/activities/pre-checks.js';
import type { PreCheck, PreCheckResult } from '../../src/domain/pre-check.js';
import { createLogger } from '../../src/logger.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { depsFromEnv } from '../../src/worker.js';

let sim: RunningSimulator;
let endpoint: Server;
let endpointUrl: string;
let platformEnv: Record<string, string>;
let cluster: { id: string; name: string; organisation: string; version: string };
/** What the endpoint answers next, per path; the last one repeats. */
const script = new Map<string, number[]>();
const seen: string[] = [];

beforeAll(async () => {
  sim = await startSimulator({
    generate: { seed: 7, avisi: { clusters: 1 }, aether: { clusters: 1 }, minors: ['1.30'] },
  });
  const aetherOrg = sim.organisations.aether[0]!;
  platformEnv = { AETHER_API_URL: `${sim.url}/api/v1`, AETHER_API_TOKEN: sim.tokens.aether[aetherOrg]! };
  const all = (
    (await (await fetch(`${sim.url}/_sim/clusters?platform=aether`)).json()) as { clusters: (typeof cluster)[] }
  ).clusters;
  cluster = all[0]!;
  endpoint = createServer((request, response) => {
    const path = new URL(request.url!, 'http://x').pathname;
    seen.push(path);
    const statuses = script.get(path) ?? [200];
    const status = statuses.length > 1 ? statuses.shift()! : statuses[0]!;
    response.writeHead(status, { 'content-type': 'application/json' }).end('{"status":"ok"}');
  });
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  endpointUrl = `http://127.0.0.1:${(endpoint.address() as { port: number }).port}`;
});

afterAll(async () => {
  await sim?.close();
  await new Promise((resolve) => endpoint?.close(resolve));
});

const check = (
  name: string,
  path: string,
  extra: { onFail?: 'block' | 'fail'; timeoutMs?: number } = {},
): PreCheck => ({
  name,
  http: { url: `${endpointUrl}${path}`, status: 200 },
  passForMs: 0,
  intervalMs: 100,
  timeoutMs: 1_000,
  onFail: 'block',
  ...extra,
});

async function run(checks: PreCheck[], requestVersion = '1.31'): Promise<PreCheckResult> {
  const deps = depsFromEnv(createLogger({ level: 'silent' }), platformEnv);
  const { runPreChecks } = createPreCheckActivities(deps, { env: {} });
  const input: RunPreChecksInput = {
    platform: 'aether',
    organisation: cluster.organisation,
    clusterId: cluster.id,
    rolloutId: 'test',
    checks,
    requestVersion,
  };
  return new MockActivityEnvironment().run(runPreChecks, input);
}

describe('runPreChecks', () => {
  it('passes on one good answer, the target and current versions filled in', async () => {
    seen.length = 0;
    const result = await run([check('versions', '/{currentMinor}/to/{targetMinor}/{targetVersion}')], '1.31.2');
    expect(result).toEqual({ passed: true, checks: 1 });
    expect(seen).toEqual([`/${cluster.version.split('.').slice(0, 2).join('.')}/to/1.31/1.31.2`]);
  });

  it('fails at once on a definite no, with the last value, and names onFail', async () => {
    script.set('/no', [404]);
    seen.length = 0;
    const started = Date.now();
    const result = await run([check('first', '/ok'), check('api', '/no', { onFail: 'fail', timeoutMs: 60_000 })]);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result).toEqual({
      passed: false,
      check: 'api',
      onFail: 'fail',
      reason: expect.stringMatching(/^pre-check "api" did not pass: last value status 404 \(expected 200\)/),
      last: 'status 404 (expected 200)',
    });
    expect(seen.filter((p) => p === '/no')).toHaveLength(1);
  });

  it('asks again on transient answers within the timeout, and passes once answered', async () => {
    script.set('/busy', [503, 429, 200]);
    seen.length = 0;
    expect(await run([check('busy', '/busy')])).toEqual({ passed: true, checks: 1 });
    expect(seen).toEqual(['/busy', '/busy', '/busy']);
  });

  it('fails with no usable answer once transient answers outlast the timeout', async () => {
    script.set('/down', [503]);
    const result = await run([check('down', '/down', { timeoutMs: 500 })]);
    expect(result).toMatchObject({
      passed: false,
      check: 'down',
      onFail: 'block',
      reason: expect.stringMatching(/^pre-check "down" had no usable answer within 500ms: last value status 503/),
    });
  });

  it('cannot run a check whose template the cluster lacks, and says which', async () => {
    const result = await run([check('where', '/{environment}')]);
    expect(result).toMatchObject({
      passed: false,
      reason: 'pre-check "where" cannot run: its url needs {environment}, which this cluster does not have',
    });
  });
});
