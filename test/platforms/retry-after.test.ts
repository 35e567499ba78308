/**
 * `Retry-After` as the platforms mean it: a 429 speaks for the token, so once one
 * request of a client is told to wait, no request of that client with that token goes
 * out until the time is up; another token is not held. Longer waits than a call may
 * spend in process fail at once, sending nothing, with the time left, which activities
 * hand to Temporal as the next retry's delay. Checked on the simulator's call log
 * (arrival and answer times per client).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toFailure } from '../../src/activities/failures.js';
import {
  createAetherClient,
  createAvisiClient,
  PlatformApiError,
  type AvisiClientOptions,
  type ClusterSnapshot,
  type PlatformClient,
} from '../../src/platforms/index.js';
import { RetryAfterGate, RetryAfterPendingError } from '../../src/platforms/retry-after-gate.js';
import type { LoggedCall } from '../../src/simulator/call-log.js';
import { generateFleet, startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { rejectionOf } from './support/fake-api.js';
import { NO_FAULTS, setFaults } from './support/sim.js';

const ORG = 'acme';
const TOKENS = ['avisi-token-one-2f7c', 'avisi-token-two-8d1e'];
const VERSION = 'v1.31.6-u-ame.1';

let sim: RunningSimulator;
let clusters: ClusterSnapshot[];
let next = 0;
const freshCluster = () => clusters[next++]!;

const clientWith = (options: Partial<AvisiClientOptions> = {}) =>
  createAvisiClient({
    apiUrl: `${sim.url}/api/v1`,
    token: TOKENS[0]!,
    retryLimit: 2,
    backoffLimitMs: 20,
    maxRetryAfterMs: 5_000,
    timeoutMs: 5_000,
    ...options,
  });
const calls = async (platform = 'avisi') =>
  ((await (await fetch(`${sim.url}/_sim/calls?platform=${platform}`)).json()) as { calls: LoggedCall[] }).calls;
/** The one 429 in the log, and the calls that arrived after it was answered, in arrival order. */
const refusalAndNext = async (platform = 'avisi') => {
  const log = [...(await calls(platform))].sort((a, b) => a.arrivedAt - b.arrivedAt);
  const refused = log.find((c) => c.status === 429)!;
  return { refused, after: log.filter((c) => c !== refused && c.arrivedAt >= refused.answeredAt!) };
};
const firstClusters = async (client: PlatformClient, organisation: string) => {
  const found: ClusterSnapshot[] = [];
  for await (const cluster of client.listClusters(organisation)) found.push(cluster);
  return found;
};

beforeAll(async () => {
  // Avisi: one organisation; Aether: two, each with its own token.
  const fleet = generateFleet({ seed: 17, avisi: { organisation: ORG, clusters: 10 }, aether: { clusters: 1 } });
  const second = generateFleet({ seed: 18, avisi: { clusters: 0 }, aether: { clusters: 1 } });
  sim = await startSimulator({
    fleet: { avisi: fleet.avisi, aether: [...fleet.aether!, ...second.aether!] },
    avisiTokens: TOKENS,
    timeScale: 1,
    rateLimitPerMinute: { aether: 0 },
  });
  clusters = await firstClusters(clientWith(), ORG);
});
afterEach(async () => {
  await setFaults(sim.url, NO_FAULTS);
  await fetch(`${sim.url}/_sim/requests`, { method: 'DELETE' });
});
afterAll(() => sim?.close());

describe('Retry-After holds the whole client', () => {
  it('sends no request with the same token until the time is up, whatever the request', async () => {
    const client = clientWith();
    // Only the POST is refused: Avisi POSTs are never retried in process, so the 429 comes back to the caller.
    await setFaults(sim.url, { rateLimitRate: 1, retryAfterSeconds: 1, methods: ['POST'] });
    const error = (await rejectionOf(
      client.requestUpgrade(ORG, freshCluster(), { version: VERSION }),
    )) as PlatformApiError;
    expect(error).toMatchObject({ status: 429, retryAfterMs: 1_000, retryable: true });

    // Other clusters' reads, sent at once by the caller, wait for the second the platform asked for.
    await Promise.all([
      client.getCluster(ORG, clusters[5]!.id),
      client.listVersions(),
      client.getCluster(ORG, clusters[6]!.id),
    ]);
    const { refused, after } = await refusalAndNext();
    expect(refused).toMatchObject({ method: 'POST', client: 'avisi:token-1', retryAfterSeconds: 1 });
    expect(after.length).toBeGreaterThanOrEqual(3);
    for (const call of after) expect(call.arrivedAt).toBeGreaterThanOrEqual(refused.answeredAt! + 1_000);
  });

  it("holds the token, not the client: another organisation's token is not held", async () => {
    // One Aether client with a token per organisation, as a worker driving two organisations has.
    const [orgA, orgB] = sim.organisations.aether as [string, string];
    const client = createAetherClient({
      apiUrl: `${sim.url}/api/v1`,
      token: { [orgA]: sim.tokens.aether[orgA]!, [orgB]: sim.tokens.aether[orgB]! },
      retryLimit: 0,
      maxRetryAfterMs: 5_000,
    });
    const [clusterA] = await firstClusters(client, orgA);
    const [clusterB] = await firstClusters(client, orgB);
    await setFaults(sim.url, { aether: { rateLimitRate: 1, retryAfterSeconds: 2, methods: ['PUT'] } });
    const error = (await rejectionOf(client.requestUpgrade(orgA, clusterA!, { version: '1.31' }))) as PlatformApiError;
    expect(error).toMatchObject({ status: 429, retryAfterMs: 2_000 });

    const heldRead = client.getCluster(orgA, clusterA!.id);
    await client.getCluster(orgB, clusterB!.id);
    await heldRead;
    const { refused, after } = await refusalAndNext('aether');
    expect(refused.client).toBe(`aether:org/${orgA}`);
    // The other token's read went first, while the held one still waited.
    expect(after.map((c) => c.client)).toEqual([`aether:org/${orgB}`, `aether:org/${orgA}`]);
    expect(after[1]!.arrivedAt).toBeGreaterThanOrEqual(refused.answeredAt! + 2_000);
  });

  it('does not count the wait against the request timeout', async () => {
    const client = clientWith({ timeoutMs: 300 });
    await setFaults(sim.url, { rateLimitRate: 1, retryAfterSeconds: 1, methods: ['POST'] });
    await rejectionOf(client.requestUpgrade(ORG, freshCluster(), { version: VERSION }));
    await expect(client.listVersions()).resolves.toEqual(expect.arrayContaining([expect.anything()]));
    const { refused, after } = await refusalAndNext();
    // It did wait the second out, three times its timeout.
    expect(after).toEqual([expect.objectContaining({ status: 200, arrivedAt: expect.any(Number) })]);
    expect(after[0]!.arrivedAt).toBeGreaterThanOrEqual(refused.answeredAt! + 1_000);
  });

  it('sends nothing when more is left than a call may wait in process, and says how long', async () => {
    const client = clientWith({ maxRetryAfterMs: 500 });
    await setFaults(sim.url, { rateLimitRate: 1, retryAfterSeconds: 30, methods: ['POST'] });
    await rejectionOf(client.requestUpgrade(ORG, freshCluster(), { version: VERSION }));
    const sent = (await calls()).length;

    const error = (await rejectionOf(client.getCluster(ORG, clusters[7]!.id))) as PlatformApiError;
    expect(error).toBeInstanceOf(PlatformApiError);
    expect(error).toMatchObject({ code: 'retry_after', status: undefined, retryable: true });
    expect(error.retryAfterMs).toBeGreaterThan(25_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(error.message).not.toContain(TOKENS[0]);
    expect(await calls()).toHaveLength(sent);

    // The activity hands the wait to Temporal: the next attempt comes no sooner.
    const failure = toFailure(error) as { nonRetryable: boolean; nextRetryDelay?: unknown; type?: string };
    expect(failure).toMatchObject({
      nonRetryable: false,
      type: 'PlatformApiError',
      nextRetryDelay: error.retryAfterMs,
    });
  });
});

describe('RetryAfterGate', () => {
  it('keeps the longest wait per key, and forgets a key once its time is up', () => {
    let now = 1_000;
    const gate = new RetryAfterGate(() => now);
    gate.hold('a', 5_000);
    gate.hold('a', 1_000);
    expect(gate.remaining('a')).toBe(5_000);
    expect(gate.remaining('b')).toBe(0);
    now += 4_000;
    gate.hold('a', 3_000);
    expect(gate.remaining('a')).toBe(3_000);
    now += 3_000;
    expect(gate.remaining('a')).toBe(0);
  });

  it('fails at once when more is left than the caller may wait', async () => {
    const gate = new RetryAfterGate();
    gate.hold('a', 60_000);
    await expect(gate.pass('a', 1_000)).rejects.toBeInstanceOf(RetryAfterPendingError);
    await expect(gate.pass('b', 1_000)).resolves.toBeUndefined();
  });
});
