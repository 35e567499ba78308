/**
 * `GET /_sim/deprecated-apis/{id}` (src/simulator/deprecated-api-routes.ts): one cluster's
 * deprecated API use as JSON, for an `http` pre-upgrade check where no Prometheus runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFleet, startSimulator, type RunningSimulator } from '../../src/simulator/index.js';

const INGRESS = { group: 'networking.k8s.io', version: 'v1beta1', resource: 'ingresses', removedRelease: '1.32' };
const FLOW = {
  group: 'flowcontrol.apiserver.k8s.io',
  version: 'v1beta3',
  resource: 'flowschemas',
  removedRelease: '1.33',
};

let sim: RunningSimulator;
let marked: { id: string; name: string };
let plain: { id: string };

beforeAll(async () => {
  const fleet = generateFleet({ seed: 8, avisi: { clusters: 2 }, aether: { clusters: 1 } });
  const [first, second] = fleet.avisi![0]!.clusters;
  fleet.avisi![0]!.clusters = [{ ...first!, deprecatedApis: [INGRESS, FLOW] }, second!];
  sim = await startSimulator({ fleet });
  const clusters = (
    (await (await fetch(`${sim.url}/_sim/clusters?platform=avisi`)).json()) as {
      clusters: { id: string; name: string }[];
    }
  ).clusters;
  marked = clusters.find((c) => c.name === first!.name)!;
  plain = clusters.find((c) => c.name === second!.name)!;
});
afterAll(() => sim?.close());

const read = async (path: string) => {
  const response = await fetch(`${sim.url}/_sim/deprecated-apis/${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('GET /_sim/deprecated-apis/{id}', () => {
  it('lists the APIs a cluster still calls, those one minor removes when asked', async () => {
    expect(await read(marked.id)).toEqual({
      status: 200,
      body: { cluster: marked.name, count: 2, apis: [INGRESS, FLOW] },
    });
    expect(await read(`${marked.id.toUpperCase()}?removedRelease=1.32`)).toEqual({
      status: 200,
      body: { cluster: marked.name, removedRelease: '1.32', count: 1, apis: [INGRESS] },
    });
    expect((await read(`${plain.id}?removedRelease=1.32`)).body).toMatchObject({ count: 0, apis: [] });
  });

  it('answers 404 for a cluster it does not have', async () => {
    expect((await read('5e08fe67-1274-475d-bd0c-a65b0330507f')).status).toBe(404);
  });
});
