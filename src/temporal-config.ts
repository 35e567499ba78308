/**
 * How every fleetwave process finds Temporal: @temporalio/envconfig's conventions
 * (`temporal.toml` profiles, `TEMPORAL_PROFILE`, `TEMPORAL_ADDRESS`,
 * `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, `TEMPORAL_TLS*`), so a worker, the CLI and
 * the `temporal` CLI agree on one configuration. Explicit flags override it.
 */
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';

/** **Contract**: the task queue rollouts run on unless `FLEET_TASK_QUEUE` says otherwise. */
export const DEFAULT_TASK_QUEUE = 'fleet-rollouts';

/**
 * Every variable a connection is read from: @temporalio/envconfig's (the same as the
 * `temporal` CLI's; `TEMPORAL_GRPC_META_*` is a prefix, one gRPC header each) and the
 * task queue.
 */
export const TEMPORAL_ENV_VARS = [
  'TEMPORAL_PROFILE',
  'TEMPORAL_CONFIG_FILE',
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_API_KEY',
  'TEMPORAL_TLS',
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_CERT_DATA',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_DATA',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_DATA',
  'TEMPORAL_TLS_SERVER_NAME',
  'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION',
  'TEMPORAL_CODEC_ENDPOINT',
  'TEMPORAL_CODEC_AUTH',
  'TEMPORAL_GRPC_META_*',
  'FLEET_TASK_QUEUE',
] as const;

export interface TemporalTarget {
  readonly connectionOptions: NativeConnectionOptions;
  readonly namespace: string;
  readonly taskQueue: string;
}

export interface TemporalOverrides {
  readonly address?: string;
  readonly namespace?: string;
  readonly taskQueue?: string;
}

export function loadTemporalTarget(
  overrides: TemporalOverrides = {},
  env: NodeJS.ProcessEnv = process.env,
): TemporalTarget {
  // `env` rather than process.env, so callers (and tests) say which environment counts.
  const vars = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const loaded = loadClientConnectConfig({ overrideEnvVars: vars });
  const connectionOptions: NativeConnectionOptions = {
    ...loaded.connectionOptions,
    ...(overrides.address ? { address: overrides.address } : {}),
  };
  if (!connectionOptions.address) connectionOptions.address = 'localhost:7233';
  return {
    connectionOptions,
    namespace: overrides.namespace ?? loaded.namespace ?? 'default',
    taskQueue: overrides.taskQueue ?? env.FLEET_TASK_QUEUE ?? DEFAULT_TASK_QUEUE,
  };
}
