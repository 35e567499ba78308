/**
 * The real Temporal server's configuration, as files the project writes: what
 * docker-compose.yml's `temporal` service gets from the server image's embedded
 * template (DB=postgres12, its connection defaults, the same services, cluster
 * metadata and archival settings), with every port ours to choose on loopback.
 *
 * - persistence: default store and visibility store both `postgres12` (SQL visibility
 *   on PostgreSQL: no Elasticsearch), databases `temporal` and `temporal_visibility`;
 *   pool sizes as the image's (20 connections default store, 10 visibility).
 * - numHistoryShards 4: the image's default (NUM_HISTORY_SHARDS), so compose agrees.
 *   It is fixed for a database's life: changing it needs a new database.
 * - services frontend, history, matching and worker in one process, each on its own
 *   gRPC and membership port, bound to 127.0.0.1.
 *
 * Dynamic config: the image runs on the server's defaults, which already give what the
 * project uses (workflow update and update-with-start, eager start, KeywordList search
 * attributes in SQL visibility, schedules). On top, as `temporal server start-dev` does
 * for tests: search attributes are read through to the database (usable the moment they
 * are registered), with the persistence rate limits raised for it, and more visibility
 * requests per second (tests and `fleet rollout watch` list often).
 */
import { stringify } from 'yaml';

export const NUM_HISTORY_SHARDS = 4;
export const TEMPORAL_DATABASES = { default: 'temporal', visibility: 'temporal_visibility' } as const;

export interface ServerPorts {
  readonly frontend: number;
  readonly frontendHttp: number;
  readonly frontendMembership: number;
  readonly history: number;
  readonly historyMembership: number;
  readonly matching: number;
  readonly matchingMembership: number;
  readonly worker: number;
  readonly workerMembership: number;
}

export interface ServerConfigInput {
  readonly ip: string;
  readonly ports: ServerPorts;
  readonly postgres: { readonly host: string; readonly port: number; readonly user: string; readonly password: string };
  readonly dynamicConfigFile: string;
  /** Serve Prometheus metrics on this loopback port (`/metrics`). */
  readonly metricsPort?: number;
  /** @default 'warn' */
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

/** The values of the dynamic config file (see the module comment for why each). */
export const DYNAMIC_CONFIG: Readonly<Record<string, unknown>> = {
  'system.forceSearchAttributesCacheRefreshOnRead': true,
  'frontend.persistenceMaxQPS': 10_000,
  'history.persistenceMaxQPS': 45_000,
  'frontend.namespaceRPS.visibility': 100,
};

const datastore = (input: ServerConfigInput, databaseName: string, maxConns: number) => ({
  sql: {
    pluginName: 'postgres12',
    databaseName,
    connectAddr: `${input.postgres.host}:${input.postgres.port}`,
    connectProtocol: 'tcp',
    user: input.postgres.user,
    password: input.postgres.password,
    maxConns,
    maxIdleConns: maxConns,
    maxConnLifetime: '1h',
  },
});

const service = (ip: string, grpcPort: number, membershipPort: number, httpPort?: number) => ({
  rpc: { grpcPort, membershipPort, bindOnIP: ip, ...(httpPort ? { httpPort } : {}) },
});

/** The server's config file (`temporal-server --config-file`), as an object. */
export function serverConfig(input: ServerConfigInput): Record<string, unknown> {
  const { ip, ports } = input;
  return {
    log: { stdout: true, level: input.logLevel ?? 'warn' },
    persistence: {
      numHistoryShards: NUM_HISTORY_SHARDS,
      defaultStore: 'default',
      visibilityStore: 'visibility',
      datastores: {
        default: datastore(input, TEMPORAL_DATABASES.default, 20),
        visibility: datastore(input, TEMPORAL_DATABASES.visibility, 10),
      },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: ip },
      ...(input.metricsPort
        ? { metrics: { prometheus: { timerType: 'histogram', listenAddress: `${ip}:${input.metricsPort}` } } }
        : {}),
    },
    services: {
      frontend: service(ip, ports.frontend, ports.frontendMembership, ports.frontendHttp),
      matching: service(ip, ports.matching, ports.matchingMembership),
      history: service(ip, ports.history, ports.historyMembership),
      worker: service(ip, ports.worker, ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `${ip}:${ports.frontend}`,
          httpAddress: `${ip}:${ports.frontendHttp}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    // Archival is off for every namespace (the image enables the provider but no namespace uses it).
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    // The worker service (schedules, batch jobs) reaches the frontend here.
    publicClient: { hostPort: `${ip}:${ports.frontend}` },
    dynamicConfigClient: { filepath: input.dynamicConfigFile, pollInterval: '60s' },
  };
}

/** The dynamic config file: each key once, unconstrained. */
export function dynamicConfig(
  values: Readonly<Record<string, unknown>> = DYNAMIC_CONFIG,
): Record<string, { value: unknown }[]> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, [{ value }]]));
}

const HEADER = '# Written by src/devserver/temporal-server-config.ts for one run of the real Temporal server.\n';

export const serverConfigYaml = (input: ServerConfigInput): string => HEADER + stringify(serverConfig(input));
export const dynamicConfigYaml = (values?: Readonly<Record<string, unknown>>): string =>
  HEADER + stringify(dynamicConfig(values));
