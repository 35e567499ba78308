/**
 * The CLI rejects bad input with one clear message per problem and exit code 2,
 * before it connects to anything (no Temporal server runs for these tests).
 */
import { describe, expect, it } from 'vitest';
import { fleet as fleetWith } from '../support/fleet-cli.js';

/** Nothing listens on port 1: a command that connects fails fast. */
const fleet = (...args: string[]) => fleetWith({ TEMPORAL_ADDRESS: '127.0.0.1:1' }, ...args);

describe('fleet rollout start input errors', () => {
  it('names each bad field and exits 2 without a stack trace', async () => {
    const result = await fleet(
      'rollout',
      'start',
      '--platform',
      'gke',
      '--organisation',
      'acme',
      '--target',
      'latest',
      '--clusters',
      'abc',
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/platform: must be one of avisi, aether/);
    expect(result.stderr).toMatch(
      /targetVersion: not a Kubernetes version or one of .*"latest"; did you mean "latest-patch"/,
    );
    expect(result.stderr).toMatch(/clusters\[0\]: not a cluster UUID: "abc"/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports a missing spec file by name', async () => {
    const result = await fleet('rollout', 'start', '--file', '/nonexistent/spec.yaml');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--file \/nonexistent\/spec.yaml: no such file/);
  });

  it('rejects a non-numeric --max-parallel', async () => {
    const result = await fleet(
      'rollout',
      'start',
      '--platform',
      'avisi',
      '--organisation',
      'acme',
      '--target',
      '1.31',
      '--max-parallel',
      'many',
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--max-parallel: not a whole number: "many"/);
  });

  it('says in one line when Temporal cannot be reached', async () => {
    const result = await fleet('rollout', 'start', '--platform', 'avisi', '--organisation', 'acme', '--target', '1.31');
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/cannot reach Temporal at 127\.0\.0\.1:1/);
  });
});
