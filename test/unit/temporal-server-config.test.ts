/**
 * The real Temporal server's config files (src/devserver/temporal-server-config.ts):
 * docker-compose.yml's persistence (postgres12 for both stores, 4 shards), every
 * service on loopback on the ports given, the frontend where the cluster metadata and
 * the worker service look for it; and the namespace probe naming every search attribute.
 */
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  DYNAMIC_CONFIG,
  dynamicConfigYaml,
  NUM_HISTORY_SHARDS,
  serverConfig,
  serverConfigYaml,
  type ServerConfigInput,
} from '../../src/devserver/temporal-server-config.js';
import { searchAttributeProbe } from '../../src/devserver/temporal-namespace.js';
import { FLEET_SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes.js';

const input: ServerConfigInput = {
  ip: '127.0.0.1',
  ports: {
    frontend: 7233,
    frontendHttp: 40001,
    frontendMembership: 40002,
    history: 40003,
    historyMembership: 40004,
    matching: 40005,
    matchingMembership: 40006,
    worker: 40007,
    workerMembership: 40008,
  },
  postgres: { host: '127.0.0.1', port: 45432, user: 'temporal', password: 's3cret-pw' },
  dynamicConfigFile: '/tmp/x/dynamicconfig.yaml',
};

interface Sql {
  pluginName: string;
  databaseName: string;
  connectAddr: string;
  user: string;
  password: string;
  maxConns: number;
}
interface Config {
  persistence: {
    numHistoryShards: number;
    defaultStore: string;
    visibilityStore: string;
    datastores: Record<string, { sql: Sql }>;
  };
  services: Record<string, { rpc: { grpcPort: number; membershipPort: number; bindOnIP: string; httpPort?: number } }>;
  clusterMetadata: {
    currentClusterName: string;
    clusterInformation: Record<string, { rpcAddress: string; httpAddress: string }>;
  };
  publicClient: { hostPort: string };
  dynamicConfigClient: { filepath: string };
  global: { membership: { broadcastAddress: string }; metrics?: { prometheus: { listenAddress: string } } };
  log: { level: string };
}

const config = serverConfig(input) as unknown as Config;

describe('the real server config', () => {
  it('keeps history and visibility in PostgreSQL (postgres12), in the databases the schema tool creates', () => {
    const { persistence } = config;
    expect(persistence.numHistoryShards).toBe(NUM_HISTORY_SHARDS);
    expect(NUM_HISTORY_SHARDS).toBe(4);
    const history = persistence.datastores[persistence.defaultStore]!.sql;
    const visibility = persistence.datastores[persistence.visibilityStore]!.sql;
    expect(history).toMatchObject({
      pluginName: 'postgres12',
      databaseName: 'temporal',
      connectAddr: '127.0.0.1:45432',
      user: 'temporal',
      password: 's3cret-pw',
      maxConns: 20,
    });
    expect(visibility).toMatchObject({
      pluginName: 'postgres12',
      databaseName: 'temporal_visibility',
      connectAddr: '127.0.0.1:45432',
      maxConns: 10,
    });
  });

  it('runs the four services on loopback, each on its own ports', () => {
    expect(Object.keys(config.services).sort()).toEqual(['frontend', 'history', 'matching', 'worker']);
    const ports = Object.values(config.services).flatMap(({ rpc }) => [
      rpc.grpcPort,
      rpc.membershipPort,
      ...(rpc.httpPort ? [rpc.httpPort] : []),
    ]);
    expect(ports.sort()).toEqual(Object.values(input.ports).sort());
    for (const { rpc } of Object.values(config.services)) expect(rpc.bindOnIP).toBe('127.0.0.1');
    expect(config.services.frontend!.rpc.grpcPort).toBe(7233);
    expect(config.global.membership.broadcastAddress).toBe('127.0.0.1');
  });

  it('points the cluster metadata and the worker service at the frontend', () => {
    const current = config.clusterMetadata.clusterInformation[config.clusterMetadata.currentClusterName]!;
    expect(current.rpcAddress).toBe('127.0.0.1:7233');
    expect(current.httpAddress).toBe('127.0.0.1:40001');
    expect(config.publicClient.hostPort).toBe('127.0.0.1:7233');
    expect(config.dynamicConfigClient.filepath).toBe(input.dynamicConfigFile);
  });

  it('logs at warn unless told, and serves metrics only when asked', () => {
    expect(config.log.level).toBe('warn');
    expect(config.global.metrics).toBeUndefined();
    const withMetrics = serverConfig({ ...input, metricsPort: 9091, logLevel: 'error' }) as unknown as Config;
    expect(withMetrics.global.metrics?.prometheus.listenAddress).toBe('127.0.0.1:9091');
    expect(withMetrics.log.level).toBe('error');
  });

  it('writes YAML that reads back as the same config', () => {
    expect(parse(serverConfigYaml(input))).toEqual(serverConfig(input));
  });
});

describe('the dynamic config', () => {
  it('lists each value once, unconstrained, as the server reads the file', () => {
    const file = parse(dynamicConfigYaml()) as Record<string, { value: unknown; constraints?: unknown }[]>;
    expect(Object.keys(file).sort()).toEqual(Object.keys(DYNAMIC_CONFIG).sort());
    for (const [key, values] of Object.entries(file)) expect(values, key).toEqual([{ value: DYNAMIC_CONFIG[key] }]);
    // Search attributes are usable the moment they are registered, as on the dev server.
    expect(file['system.forceSearchAttributesCacheRefreshOnRead']).toEqual([{ value: true }]);
  });
});

describe('the namespace probe', () => {
  it('names every search attribute fleetwave upserts, with a literal of its type', () => {
    const probe = searchAttributeProbe();
    for (const key of FLEET_SEARCH_ATTRIBUTES) expect(probe).toMatch(new RegExp(`\\b${key.name} = ('[^']*'|\\d+)`));
    expect(probe).toContain("FleetPlatforms = ''");
    expect(probe).toContain('FleetProgressPercent = 0');
  });
});
