/**
 * Log lines carry the rollout and cluster they are about: an activity runs in a log
 * context built from its info and input, and every line written inside it (by the
 * activity, or by a logger created long before, such as a platform client's) carries
 * it, once per key. Run through the SDK's MockActivityEnvironment, which provides a
 * real activity Context.
 */
import { Writable } from 'node:stream';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { inActivityLogContext } from '../../src/activities/log-context.js';
import { rolloutOfWorkflow, withLogContext } from '../../src/log-context.js';
import { createLogger } from '../../src/logger.js';
import { clusterLockId } from '../../src/workflows/cluster/ids.js';

/** The id of a child started before `lean-cluster-child` (none starts now; log-context.ts still reads them). */
const clusterWorkflowId = (rolloutId: string, clusterId: string): string => `${rolloutId}/${clusterId}`;

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return {
    logger: createLogger({ level: 'info' }, destination),
    lines,
    parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('rolloutOfWorkflow', () => {
  it('reads the rollout and cluster from a cluster workflow id, the rollout from a rollout id', () => {
    expect(rolloutOfWorkflow('clusterUpgrade', clusterWorkflowId('rollout-acme-1.31', 'c0ffee00'))).toEqual({
      rolloutId: 'rollout-acme-1.31',
      clusterId: 'c0ffee00',
    });
    // Rollout ids may hold slashes; cluster ids do not.
    expect(rolloutOfWorkflow('clusterUpgrade', clusterWorkflowId('team/weekly', 'prod-1'))).toEqual({
      rolloutId: 'team/weekly',
      clusterId: 'prod-1',
    });
    // A lean child's id is its cluster's lock: the cluster, no rollout (its activities name the rollout in their input).
    expect(rolloutOfWorkflow('clusterUpgrade', clusterLockId('aether', 'c0ffee00'))).toEqual({ clusterId: 'c0ffee00' });
    expect(rolloutOfWorkflow('fleetRollout', 'rollout-acme-1.31')).toEqual({ rolloutId: 'rollout-acme-1.31' });
    expect(rolloutOfWorkflow('apiBudget', 'fleet-api-budget/q/aether')).toEqual({});
    // A notification: `<rolloutId>/notify/<eventId>/<channel>`.
    expect(rolloutOfWorkflow('notifyChannel', 'team/weekly/notify/evt_0123456789abcdef0123456789abcdef/ops')).toEqual({
      rolloutId: 'team/weekly',
    });
    expect(rolloutOfWorkflow('notifyQueue', 'team/weekly/notify/release_chat')).toEqual({ rolloutId: 'team/weekly' });
    expect(rolloutOfWorkflow(undefined, undefined)).toEqual({});
  });
});

describe('log context', () => {
  it('is on every line written inside it, nested contexts adding to it, and gone outside', async () => {
    const { logger, parsed } = capture();
    const client = logger.child({ platform: 'aether' });
    await withLogContext({ rolloutId: 'r1' }, async () => {
      await Promise.resolve();
      logger.info('planned');
      await withLogContext({ clusterId: 'c1' }, async () => client.warn({ status: 503 }, 'retrying'));
    });
    logger.info('idle');
    expect(parsed()).toEqual([
      expect.objectContaining({ rolloutId: 'r1', msg: 'planned' }),
      expect.objectContaining({ rolloutId: 'r1', clusterId: 'c1', platform: 'aether', status: 503, msg: 'retrying' }),
      expect.not.objectContaining({ rolloutId: expect.anything() }),
    ]);
  });

  it('gives way to a field the line sets itself, without writing the key twice', () => {
    const { logger, lines } = capture();
    withLogContext({ clusterId: 'from-context' }, () => logger.info({ clusterId: 'from-line' }, 'hello'));
    expect(lines[0]!.match(/"clusterId"/g)).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ clusterId: 'from-line' });
  });
});

describe('inActivityLogContext', () => {
  const env = (workflowType: string, workflowId: string, activityType: string) =>
    new MockActivityEnvironment({
      workflowType,
      workflowExecution: { workflowId, runId: 'run-1' },
      activityType,
      attempt: 3,
    });

  it('names the rollout, cluster, workflow, activity and attempt of a cluster activity', async () => {
    const { logger, parsed } = capture();
    const poll = inActivityLogContext(async (input: { clusterId: string }) =>
      logger.info({ seen: input.clusterId }, 'polled'),
    );
    await env('clusterUpgrade', clusterWorkflowId('rollout-7', 'c-42'), 'pollUpgrade').run(poll, { clusterId: 'c-42' });
    expect(parsed()).toEqual([
      expect.objectContaining({
        rolloutId: 'rollout-7',
        clusterId: 'c-42',
        workflowId: 'rollout-7/c-42',
        activityType: 'pollUpgrade',
        attempt: 3,
        seen: 'c-42',
        msg: 'polled',
      }),
    ]);
  });

  it("names the rollout of a lean child's activity from its input (the child's id names no rollout)", async () => {
    const { logger, parsed } = capture();
    const request = inActivityLogContext(async (_input: { clusterId: string; rolloutId: string }) =>
      logger.info('requested'),
    );
    await env('clusterUpgrade', clusterLockId('aether', 'c-42'), 'requestUpgrade').run(request, {
      clusterId: 'c-42',
      rolloutId: 'rollout-7',
    });
    expect(parsed()).toEqual([
      expect.objectContaining({
        rolloutId: 'rollout-7',
        clusterId: 'c-42',
        workflowId: 'fleet-cluster/aether/c-42',
        activityType: 'requestUpgrade',
      }),
    ]);
  });

  it('names the rollout of a rollout activity, which has no cluster', async () => {
    const { logger, parsed } = capture();
    const plan = inActivityLogContext(async (_input: { platform: string }) => logger.info('planned'));
    await env('fleetRollout', 'rollout-7', 'planRollout').run(plan, { platform: 'avisi' });
    const [line] = parsed();
    expect(line).toMatchObject({ rolloutId: 'rollout-7', workflowId: 'rollout-7', activityType: 'planRollout' });
    expect(line).not.toHaveProperty('clusterId');
  });

  it('runs the activity as it is when called outside an activity', async () => {
    const { logger, parsed } = capture();
    await inActivityLogContext(async (_input: { clusterId: string }) => logger.info('direct'))({ clusterId: 'c-1' });
    expect(parsed()[0]).not.toHaveProperty('clusterId');
  });
});
