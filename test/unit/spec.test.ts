import { describe, expect, it } from 'vitest';
import { InvalidSpecError, parseRolloutSpec } from '../../src/domain/spec.js';
import { problemsOf } from '../support/bad-specs.js';

const AETHER_ORG = '2489e9ad-2ee2-8e00-8ec9-32d5f69181c0';
const CLUSTER = '5e08fe67-1274-475d-bd0c-a65b0330507f';

describe('parseRolloutSpec', () => {
  it('fills defaults and turns durations into milliseconds', () => {
    const plan = parseRolloutSpec({ platform: 'avisi', organisation: 'acme', targetVersion: 'v1.31' });
    expect(plan).toMatchObject({
      platform: 'avisi',
      organisation: 'acme',
      targetVersion: '1.31',
      maxParallel: 10,
      retry: { maxAttempts: 2 },
      reschedule: { maxAttempts: 2 },
      pollIntervalMs: 30_000,
      clusterDeadlineMs: 14 * 86_400_000,
      ignoreMaintenanceSchedule: false,
      dryRun: false,
    });
    expect(plan.clusters).toBeUndefined();
  });

  it('normalises Aether ids to lower case', () => {
    const plan = parseRolloutSpec({
      platform: 'aether',
      organisation: AETHER_ORG.toUpperCase(),
      targetVersion: '1.31.4',
      clusters: [CLUSTER.toUpperCase()],
      pollInterval: '2s',
    });
    expect(plan.organisation).toBe(AETHER_ORG);
    expect(plan.clusters).toEqual([CLUSTER]);
    expect(plan.pollIntervalMs).toBe(2000);
  });

  it('names every problem by its field', () => {
    const problems = problemsOf({
      platform: 'gke',
      organisation: '',
      targetVersion: '',
      clusters: ['not-a-uuid', CLUSTER, CLUSTER],
      pollInterval: 'soon',
      extra: 1,
    });
    const byField = Object.fromEntries(problems.map((p) => [p.field, p.message]));
    expect(byField.platform).toMatch(/avisi, aether/);
    expect(byField.organisation).toMatch(/empty/);
    expect(byField.targetVersion).toMatch(/empty/);
    expect(byField['clusters[0]']).toMatch(/not a cluster UUID: "not-a-uuid"/);
    expect(byField['clusters[2]']).toMatch(/listed twice/);
    expect(byField.pollInterval).toMatch(/not a duration: "soon"/);
    expect(byField.extra).toBe('unknown field');
  });

  it('checks the organisation per platform', () => {
    expect(problemsOf({ platform: 'aether', organisation: 'acme', targetVersion: '1.31' })).toEqual([
      { field: 'organisation', message: expect.stringMatching(/Aether organisation UUID/) },
    ]);
    expect(
      problemsOf({ platform: 'avisi', organisation: AETHER_ORG.toUpperCase(), targetVersion: '1.31' })[0]?.field,
    ).toBe('organisation');
  });

  it('rejects versions that are not versions, and an empty cluster list', () => {
    expect(problemsOf({ platform: 'avisi', organisation: 'acme', targetVersion: 'latest' })[0]).toEqual({
      field: 'targetVersion',
      message: expect.stringMatching(
        /not a Kubernetes version or one of .*got the string "latest"; did you mean "latest-patch"/,
      ),
    });
    expect(problemsOf({ platform: 'avisi', organisation: 'acme', targetVersion: '1.31', clusters: [] })[0]?.field).toBe(
      'clusters',
    );
  });

  it('takes patchOnly, which cannot cross minors', () => {
    expect(parseRolloutSpec({ platform: 'avisi', organisation: 'acme', targetVersion: '1.31' }).patchOnly).toBe(false);
    expect(
      parseRolloutSpec({ platform: 'avisi', organisation: 'acme', targetVersion: '1.31', patchOnly: true }).patchOnly,
    ).toBe(true);
    expect(
      problemsOf({ platform: 'avisi', organisation: 'acme', targetVersion: '1.31', patchOnly: true, maxHops: 2 }),
    ).toEqual([{ field: 'patchOnly', message: 'patch upgrades stay within a minor: remove maxHops or patchOnly' }]);
    expect(
      problemsOf({ platform: 'avisi', organisation: 'acme', targetVersion: '1.31', patchOnly: 'yes' })[0]?.field,
    ).toBe('patchOnly');
  });

  it('rejects a spec that is not an object', () => {
    expect(problemsOf(null)[0]?.field).toBe('spec');
    expect(() => parseRolloutSpec('avisi')).toThrow(InvalidSpecError);
  });
});
