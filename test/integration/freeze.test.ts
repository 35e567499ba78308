/**
 * Freeze periods on a real dev server against the simulator: a spec's freeze holds every
 * cluster back and lifts by itself (a durable timer); a `freeze` update mid-run lets the
 * running upgrade finish and starts no other until it lifts; `fleet rollout unfreeze`
 * lifts one early. Proven from the simulator's request log, whose entries carry the real
 * time each request arrived.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freezeUpdate, progressQuery } from '../../src/workflows/messages.js';
import { eventually } from '../platforms/support/sim.js';
import { fleet as fleetWith } from '../support/fleet-cli.js';
import { slowAetherFleet, startHarness, type Harness, type SimRequest } from './harness.js';

const QUICK = { targetVersion: '1.31', pollInterval: '200ms', clusterDeadline: '60s' } as const;
type Logged = SimRequest & { at: string };

/** A rollout of the harness's Aether fleet, one cluster at a time, once its first cluster upgrades. */
async function oneAtATime(h: Harness) {
  const handle = await h.startRollout({
    ...QUICK,
    platform: 'aether',
    organisation: h.sim.organisations.aether[0]!,
    maxParallel: 1,
    waves: [{ name: 'all' }],
  });
  await eventually(async () => ((await handle.query(progressQuery)).running.length === 1 ? true : undefined), {
    timeoutMs: 30_000,
    intervalMs: 100,
    what: 'one cluster upgrading',
  });
  return handle;
}

describe('freeze periods', () => {
  let h: Harness;
  let organisation: string;
  const requests = async () => (await h.inspect<{ requests: Logged[] }>('/_sim/requests?platform=aether')).requests;

  beforeAll(async () => {
    // Aether upgrades take two real seconds each.
    h = await startHarness(slowAetherFleet(171, 4, 2), 'freeze');
    organisation = h.sim.organisations.aether[0]!;
  });
  afterAll(() => h?.close());

  it("holds every cluster while the spec's freeze is in force, shows why, and goes on by itself when it lifts", async () => {
    const until = new Date(Date.now() + 6_000).toISOString();
    const handle = await h.startRollout({
      ...QUICK,
      platform: 'aether',
      organisation,
      maxParallel: 4,
      freeze: [{ from: new Date(Date.now() - 60_000).toISOString(), to: until, reason: 'change freeze CHG-7' }],
    });
    const frozen = await eventually(
      async () => {
        const p = await handle.query(progressQuery);
        return p.phase === 'frozen' ? p : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100, what: 'the rollout frozen' },
    );
    expect(frozen.frozen).toEqual({ reason: 'change freeze CHG-7', until: new Date(Date.parse(until)).toISOString() });
    expect(frozen.running).toEqual([]);

    const report = await handle.result();
    expect(report).toMatchObject({ status: 'SUCCEEDED', counts: { SUCCEEDED: 4 } });
    const sent = await requests();
    expect(sent).toHaveLength(4);
    // Nothing was asked of the platform before the freeze lifted.
    for (const r of sent) expect(Date.parse(r.at), r.clusterId).toBeGreaterThanOrEqual(Date.parse(until));
  });
});

describe('a freeze update mid-run', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(slowAetherFleet(172, 3, 2), 'freeze-update');
  });
  afterAll(() => h?.close());

  it('lets the running upgrade finish and starts no other until the freeze lifts; refuses a freeze without a reason or in the past', async () => {
    const handle = await oneAtATime(h);

    const refused = async (request: object) => {
      const error = await handle.executeUpdate(freezeUpdate, { args: [request as never] }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
      return (error as WorkflowUpdateFailedError).cause?.message;
    };
    expect(await refused({ until: new Date(Date.now() + 60_000).toISOString(), reason: ' ' })).toBe(
      'freeze needs a reason',
    );
    expect(await refused({ until: '2020-01-01T00:00:00Z', reason: 'late' })).toBe(
      'until (2020-01-01T00:00:00Z) has passed',
    );
    expect(await refused({ until: '18:00', reason: 'x' })).toBe('until must be an RFC 3339 date-time, got "18:00"');

    const frozenAt = Date.now();
    const until = new Date(frozenAt + 7_000).toISOString();
    const progress = await handle.executeUpdate(freezeUpdate, {
      args: [{ until, reason: 'incident INC-9', by: 'erin' }],
    });
    expect(progress.frozen).toEqual({ reason: 'incident INC-9', until });

    const report = await handle.result();
    expect(report).toMatchObject({ status: 'SUCCEEDED', counts: { SUCCEEDED: 3 } });
    expect(report.actions).toEqual([
      expect.objectContaining({ action: 'freeze', by: 'erin', reason: 'incident INC-9' }),
    ]);
    // From the log: one request before the freeze (the cluster that was upgrading), the others only after it lifted.
    const sent = (await h.inspect<{ requests: Logged[] }>('/_sim/requests?platform=aether')).requests;
    expect(sent).toHaveLength(3);
    const before = sent.filter((r) => Date.parse(r.at) < frozenAt);
    const after = sent.filter((r) => Date.parse(r.at) >= Date.parse(until));
    expect([before.length, after.length]).toEqual([1, 2]);
  });
});

describe('lifting a freeze from the CLI', () => {
  let h: Harness;
  const fleet = (...args: string[]) =>
    fleetWith(
      { TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_NAMESPACE: inject('temporalNamespace') },
      ...args,
    );
  beforeAll(async () => {
    h = await startHarness(slowAetherFleet(173, 3, 2), 'freeze-lift');
  });
  afterAll(() => h?.close());

  it('fleet rollout unfreeze starts clusters again at once, long before the freeze would have lifted; refused without a reason or a freeze', async () => {
    const handle = await oneAtATime(h);
    const id = handle.workflowId;
    expect(await fleet('rollout', 'unfreeze', id, '--reason', 'nothing to lift')).toMatchObject({
      code: 1,
      stderr: 'fleet: unfreeze rejected: the rollout is not frozen now\n',
    });

    // Frozen for an hour: the test ends only if the unfreeze lifts it.
    expect(
      await fleet('rollout', 'freeze', id, '--until', '1h', '--reason', 'incident INC-11', '--by', 'erin'),
    ).toMatchObject({ code: 0 });
    await eventually(async () => ((await handle.query(progressQuery)).phase === 'frozen' ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: 'the rollout frozen after its running cluster ended',
    });
    // From here nothing runs, and nothing may start until the unfreeze.
    const frozenAt = Date.now();
    expect(await fleet('rollout', 'unfreeze', id)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/unfreeze needs --reason/),
    });
    const liftedAt = Date.now();
    const lifted = await fleet('rollout', 'unfreeze', id, '--reason', 'INC-11 resolved', '--by', 'erin', '--json');
    expect(lifted.code, lifted.stderr).toBe(0);
    expect(JSON.parse(lifted.stdout).frozen).toBeUndefined();

    const report = await handle.result();
    expect(report).toMatchObject({ status: 'SUCCEEDED', counts: { SUCCEEDED: 3 } });
    expect(report.actions.map((a) => [a.action, a.by, a.reason])).toEqual([
      ['freeze', 'erin', 'incident INC-11'],
      ['unfreeze', 'erin', 'INC-11 resolved'],
    ]);
    // Nothing was asked while it was frozen; what had not started by then, after the unfreeze.
    const sent = (await h.inspect<{ requests: Logged[] }>('/_sim/requests?platform=aether')).requests.map((r) =>
      Date.parse(r.at),
    );
    expect(sent).toHaveLength(3);
    expect(sent.filter((at) => at >= frozenAt && at < liftedAt)).toEqual([]);
    expect(sent.filter((at) => at >= liftedAt).length).toBeGreaterThanOrEqual(1);
  });
});
