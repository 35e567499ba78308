/**
 * Deprecated API use, as a cluster's API server reports it: the series
 * `apiserver_requested_deprecated_apis{group,version,resource,removed_release}` (1 while
 * the API is still called), one per API the fleet file lists under a cluster's
 * `deprecatedApis`, labelled with the cluster (`cluster` its name, `cluster_id` its id) so
 * one Prometheus scraping `/_sim/metrics` holds the whole fleet's. What a pre-upgrade check
 * reads to hold back a cluster whose workloads call an API the target minor removes.
 */
import type { SimCluster } from './world.js';

/** Prometheus text format: label values escape backslash, double quote and newline. */
export const labelValue = (text: string): string =>
  text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** The HELP, TYPE and sample lines for `clusters` (id and cluster), none when no cluster lists an API. */
export function deprecatedApiLines(clusters: ReadonlyArray<readonly [id: string, cluster: SimCluster]>): string[] {
  const samples = clusters.flatMap(([id, cluster]) =>
    (cluster.deprecatedApis ?? []).map((api) => {
      const labels = [
        ['cluster', cluster.name],
        ['cluster_id', id],
        ['group', api.group],
        ['version', api.version],
        ['resource', api.resource],
        ['removed_release', api.removedRelease],
      ]
        .map(([name, value]) => `${name}="${labelValue(value!)}"`)
        .join(',');
      return `apiserver_requested_deprecated_apis{${labels}} 1`;
    }),
  );
  if (samples.length === 0) return [];
  return [
    // Kubernetes' own help text, shortened.
    '# HELP apiserver_requested_deprecated_apis Deprecated APIs that have been requested, by group, version, resource.',
    '# TYPE apiserver_requested_deprecated_apis gauge',
    ...samples,
  ];
}
