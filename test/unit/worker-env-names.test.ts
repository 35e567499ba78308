/**
 * A misspelt variable of the worker's families stops the start with a "did you mean",
 * instead of leaving the setting at its default in silence (src/worker-config.ts).
 */
import { describe, expect, it } from 'vitest';
import { workerConfigFromEnv } from '../../src/worker-config.js';

const refusal = (env: NodeJS.ProcessEnv): string | undefined => {
  try {
    workerConfigFromEnv(env);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
};

describe("the worker's variable names", () => {
  it.each([
    ['FLEET_WORKER_MAX_CACHED_WORKFLOW', 'FLEET_WORKER_MAX_CACHED_WORKFLOWS'],
    ['FLEET_WORKER_STICKY_TIMOUT', 'FLEET_WORKER_STICKY_TIMEOUT'],
    ['FLEET_METRICS_ADRESS', 'FLEET_METRICS_ADDRESS'],
    ['FLEET_WORKFLOW_BUNDEL', 'FLEET_WORKFLOW_BUNDLE'],
    ['FLEET_LOG_LEVELS', 'FLEET_LOG_LEVEL'],
    ['AVISI_API_TOKN', 'AVISI_API_TOKEN'],
    ['AETHER_API_URI', 'AETHER_API_URL'],
  ])('refuses %s: did you mean %s?', (name, meant) => {
    expect(refusal({ [name]: '100' })).toBe(`${name} is not a variable the worker reads; did you mean ${meant}?`);
  });

  it("refuses any unknown FLEET_WORKER_* (the family is the worker's own), listing the family", () => {
    expect(refusal({ FLEET_WORKER_FOO: '1' })).toMatch(
      /^FLEET_WORKER_FOO is not a variable the worker reads; it reads FLEET_WORKER_MAX_CACHED_WORKFLOWS, .*FLEET_WORKER_STICKY_TIMEOUT/,
    );
  });

  it("passes the CLI's, tests' and benches' FLEET_* variables, other tools' TEMPORAL_* ones, and empty values", () => {
    const others = [
      'FLEET_TASK_QUEUE',
      'FLEET_RECORD_HISTORIES',
      'FLEET_CHAOS_SEED',
      'FLEET_TEMPORAL_PORT',
      'FLEET_POSTGRES_BIN',
      'FLEET_ALLOW_SDK_DOWNLOAD',
      'FLEET_DEBUG',
      'TEMPORAL_CLI_ADDRES',
      'FLEET_HEALTH_TOKEN',
    ];
    expect(refusal(Object.fromEntries(others.map((name) => [name, '1'])))).toBeUndefined();
    expect(refusal({ FLEET_WORKER_MAX_CACHED_WORKFLOW: ' ' })).toBeUndefined();
  });

  it("leaves FLEET_NOTIFY_* to the notification channels' own rules", () => {
    expect(refusal({ FLEET_NOTIFY_OPS_UR: 'https://hooks.example.com/x' })).toBeUndefined();
  });
});
