/** Aether's JSON shapes (snake_case, real RFC 3339 instants), rendered from the world. */
import type { SimClock } from './clock.js';
import type { AetherCluster } from './world.js';

export function aetherClusterJson(cluster: AetherCluster, clock: SimClock) {
  const short = cluster.id.slice(0, 8);
  const subnet = (base: number) => `10.${base + (cluster.subnetIndex >> 8)}.${cluster.subnetIndex & 255}.0/24`;
  return {
    id: cluster.displayId,
    org_id: cluster.organisation,
    name: cluster.name,
    region: cluster.region,
    k8s_version: cluster.desired,
    status: cluster.status,
    status_message: cluster.statusMessage,
    endpoint: `https://${short}.${cluster.region}.k8s.aetherplatform.cloud:6443`,
    observed_kubernetes_version: cluster.observed.plain,
    capi_cluster_name: `capi-${short}`,
    keycloak_realm: `org-${cluster.organisation.slice(0, 8)}`,
    harbor_project: `${cluster.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${short}`,
    ceph_pool: `rbd-${short}`,
    lb_subnet: subnet(64),
    worker_subnet: subnet(128),
    created_at: clock.iso(cluster.createdAt),
    updated_at: clock.iso(cluster.updatedAt),
  };
}

/** Opaque cursors: base64url of the next offset, so clients cannot rely on their shape. */
export const encodeCursor = (offset: number): string => Buffer.from(`o:${offset}`).toString('base64url');

export function decodeCursor(cursor: string): number | undefined {
  const match = /^o:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : undefined;
}
