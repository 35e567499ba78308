/**
 * Nimbus's dialect in the simulator (`src/simulator/nimbus-dialect.ts` and its line in
 * dialect-list.ts): its routes and wire, its upgrade state machine, its share of the fleet
 * (three clusters in project `skyline`), its error bodies and how its URLs are told apart.
 */
import type { FastifyReply } from 'fastify';
import type { SimContext } from '../../../src/simulator/context.js';
import { registerDialect, type SimDialect } from '../../../src/simulator/dialect.js';
import { sendProblem, underPrefix } from '../../../src/simulator/dialects.js';
import type { ApiProblem } from '../../../src/simulator/problems.js';
import type { SimCluster } from '../../../src/simulator/world.js';

export const NIMBUS_PROJECT = 'skyline';
export const NIMBUS_TOKEN = 'nimbus_0123456789abcdef';
export const NIMBUS_VERSIONS = ['1.30.4', '1.31.2'];
const PREFIX = '/nimbus/v1';
export const nimbusClusterId = (n: number): string => `6e696d62-7573-4000-8000-${String(n).padStart(12, '0')}`;
/** Simulated time an upgrade takes. */
const UPGRADE_MS = 10 * 60_000;

interface NimbusCluster extends SimCluster {
  readonly id: string;
  version: string;
  desired: string;
  phase: 'ready' | 'upgrading' | 'failed';
  /** Simulated instant the running upgrade ends, and how. */
  endsAt?: number;
  ending?: 'SUCCEEDED' | 'FAILED';
}

function settle(cluster: NimbusCluster, now: number): void {
  if (cluster.phase !== 'upgrading' || cluster.endsAt === undefined || now < cluster.endsAt) return;
  if (cluster.ending === 'FAILED') cluster.phase = 'failed';
  else [cluster.phase, cluster.version] = ['ready', cluster.desired];
}

const wire = (c: NimbusCluster) => ({
  id: c.id,
  name: c.name,
  version: c.version,
  desired_version: c.desired,
  phase: c.phase,
});
const problem = (reply: FastifyReply, p: ApiProblem) => sendProblem(reply, 'nimbus', p);

function register(app: Parameters<SimDialect['register']>[0], ctx: SimContext): void {
  const clusters = new Map<string, NimbusCluster>();
  for (const n of [1, 2, 3]) {
    // The spec takes cluster ids as UUIDs, whatever the platform (domain/spec.ts).
    const id = nimbusClusterId(n);
    const cluster: NimbusCluster = {
      platform: 'nimbus',
      id,
      name: `nimbus-${n}`,
      organisation: NIMBUS_PROJECT,
      outcomes: [],
      version: '1.30.4',
      desired: '1.30.4',
      phase: 'ready',
    };
    clusters.set(id, cluster);
    ctx.world.clusters.set(id, cluster);
  }
  type Params = { project: string; id?: string };
  const find = (params: Params, reply: FastifyReply): NimbusCluster | undefined => {
    const cluster = params.project === NIMBUS_PROJECT ? clusters.get((params.id ?? '').toLowerCase()) : undefined;
    if (!cluster) void problem(reply, { status: 404, code: 'not_found', message: `cluster ${params.id} not found` });
    else settle(cluster, ctx.clock.now());
    return cluster;
  };
  app.addHook('preHandler', async (request, reply) => {
    if (!request.url.startsWith(PREFIX)) return;
    if (request.headers.authorization !== `Bearer ${NIMBUS_TOKEN}`)
      return problem(reply, { status: 401, code: 'unauthenticated', message: 'bad token' });
  });
  app.get(`${PREFIX}/versions`, async () => ({ versions: NIMBUS_VERSIONS }));
  app.get<{ Params: Params; Querystring: { page_token?: string } }>(
    `${PREFIX}/orgs/:project/clusters`,
    async (request, reply) => {
      if (request.params.project !== NIMBUS_PROJECT)
        return problem(reply, { status: 404, code: 'not_found', message: 'project not found' });
      const all = [...clusters.values()];
      all.forEach((c) => settle(c, ctx.clock.now()));
      // Two a page, so the client's paging is exercised.
      const from = Number(request.query.page_token ?? 0);
      const next = from + 2 < all.length ? { next_page_token: String(from + 2) } : {};
      return { clusters: all.slice(from, from + 2).map(wire), ...next };
    },
  );
  app.get<{ Params: Params }>(`${PREFIX}/orgs/:project/clusters/:id`, async (request, reply) => {
    const cluster = find(request.params, reply);
    return cluster ? wire(cluster) : reply;
  });
  app.put<{ Params: Params; Body: { version?: unknown } }>(
    `${PREFIX}/orgs/:project/clusters/:id/desired-version`,
    async (request, reply) => {
      const cluster = find(request.params, reply);
      if (!cluster) return reply;
      const version = request.body?.version;
      if (typeof version !== 'string' || !NIMBUS_VERSIONS.includes(version))
        return problem(reply, {
          status: 422,
          code: 'invalid',
          message: `version must be one of ${NIMBUS_VERSIONS.join(', ')}`,
        });
      if (cluster.phase === 'upgrading')
        return problem(reply, { status: 409, code: 'busy', message: 'an upgrade is running' });
      cluster.desired = version;
      if (version !== cluster.version) {
        const forced = cluster.outcomes.shift();
        Object.assign(cluster, {
          phase: 'upgrading',
          endsAt: ctx.clock.now() + UPGRADE_MS,
          ending: forced === 'FAILED' ? 'FAILED' : 'SUCCEEDED',
        });
      } else if (cluster.phase === 'failed') cluster.phase = 'ready';
      return wire(cluster);
    },
  );
}

export const nimbusDialect: SimDialect = {
  name: 'nimbus',
  prefix: PREFIX,
  owns: underPrefix(PREFIX),
  problemBody: (p) => ({ problem: { title: p.message, type: p.code } }),
  defaultRatePerMinute: 0,
  register,
  clientLabel: (authorization) => (authorization ? 'nimbus:project' : 'nimbus:anonymous'),
  clusterIdOf: (request) => (request.params as { id?: string }).id?.toLowerCase(),
  outcomes: ['SUCCEEDED', 'FAILED'],
  inspect: (simCluster, ctx) => {
    const cluster = simCluster as NimbusCluster;
    settle(cluster, ctx.clock.now());
    return {
      platform: 'nimbus',
      organisation: cluster.organisation,
      id: cluster.id,
      name: cluster.name,
      version: cluster.version,
      desiredVersion: cluster.desired,
      status: cluster.phase,
      outcomes: cluster.outcomes,
    };
  },
  metricLabels: (cluster) => [
    ['cluster_id', (cluster as NimbusCluster).id],
    ['cluster_name', cluster.name],
    ['platform', 'nimbus'],
    ['organisation', cluster.organisation],
  ],
};

registerDialect(nimbusDialect);
