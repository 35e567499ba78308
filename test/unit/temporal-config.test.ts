/**
 * Connecting anywhere: the worker and the CLI read Temporal's connection the way
 * @temporalio/envconfig (and the `temporal` CLI) do: temporal.toml profiles, then
 * TEMPORAL_* variables, then flags. Self-hosted with mTLS and Temporal Cloud with an
 * API key are the two shapes operators use.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TASK_QUEUE, loadTemporalTarget } from '../../src/temporal-config.js';

describe('loadTemporalTarget', () => {
  let dir: string;
  let configFile: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fleet-envconfig-'));
    await writeFile(join(dir, 'ca.pem'), 'not really a CA');
    configFile = join(dir, 'temporal.toml');
    await writeFile(
      configFile,
      `
[profile.default]
address = "temporal.internal:7233"
namespace = "fleet"

[profile.selfhosted]
address = "temporal.example.internal:7233"
namespace = "platform"
[profile.selfhosted.tls]
server_name = "temporal.example.internal"
server_ca_cert_path = "${join(dir, 'ca.pem')}"

[profile.cloud]
address = "eu-west-1.aws.api.temporal.io:7233"
namespace = "fleet.a1b2c"
api_key = "key-from-profile"
`,
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('defaults to a local dev server, namespace default, task queue fleet-rollouts', () => {
    const target = loadTemporalTarget({}, { TEMPORAL_CONFIG_FILE: join(dir, 'missing.toml') });
    expect(target).toMatchObject({
      connectionOptions: { address: 'localhost:7233' },
      namespace: 'default',
      taskQueue: DEFAULT_TASK_QUEUE,
    });
  });

  it('reads the default profile of temporal.toml', () => {
    expect(loadTemporalTarget({}, { TEMPORAL_CONFIG_FILE: configFile })).toMatchObject({
      connectionOptions: { address: 'temporal.internal:7233' },
      namespace: 'fleet',
    });
  });

  it('self-hosted with TLS: a profile with a server CA and name', () => {
    const target = loadTemporalTarget({}, { TEMPORAL_CONFIG_FILE: configFile, TEMPORAL_PROFILE: 'selfhosted' });
    expect(target.namespace).toBe('platform');
    expect(target.connectionOptions.address).toBe('temporal.example.internal:7233');
    expect(target.connectionOptions.tls).toMatchObject({
      serverNameOverride: 'temporal.example.internal',
      serverRootCACertificate: expect.anything(),
    });
  });

  it('Temporal Cloud: an API key turns TLS on; TEMPORAL_API_KEY wins over the profile', () => {
    const fromProfile = loadTemporalTarget({}, { TEMPORAL_CONFIG_FILE: configFile, TEMPORAL_PROFILE: 'cloud' });
    expect(fromProfile).toMatchObject({
      connectionOptions: { address: 'eu-west-1.aws.api.temporal.io:7233', apiKey: 'key-from-profile' },
      namespace: 'fleet.a1b2c',
    });
    expect(fromProfile.connectionOptions.tls).toBeTruthy();
    const fromEnv = loadTemporalTarget(
      {},
      {
        TEMPORAL_ADDRESS: 'us-east-1.aws.api.temporal.io:7233',
        TEMPORAL_NAMESPACE: 'fleet.x9y8z',
        TEMPORAL_API_KEY: 'key-from-env',
        TEMPORAL_CONFIG_FILE: join(dir, 'missing.toml'),
      },
    );
    expect(fromEnv).toMatchObject({
      connectionOptions: { address: 'us-east-1.aws.api.temporal.io:7233', apiKey: 'key-from-env' },
      namespace: 'fleet.x9y8z',
    });
    expect(fromEnv.connectionOptions.tls).toBeTruthy();
  });

  it('variables override the profile, flags override both', () => {
    const env = {
      TEMPORAL_CONFIG_FILE: configFile,
      TEMPORAL_ADDRESS: 'env.example:7233',
      FLEET_TASK_QUEUE: 'fleet-eu',
    };
    expect(loadTemporalTarget({}, env)).toMatchObject({
      connectionOptions: { address: 'env.example:7233' },
      namespace: 'fleet',
      taskQueue: 'fleet-eu',
    });
    expect(
      loadTemporalTarget({ address: 'flag.example:7233', namespace: 'flagged', taskQueue: 'q' }, env),
    ).toMatchObject({ connectionOptions: { address: 'flag.example:7233' }, namespace: 'flagged', taskQueue: 'q' });
  });
});
