/**
 * What the demo adds to its rollouts (demo-extras.ts): the health check and the `demo`
 * channel make valid specs on both platforms; the cluster it holds back moves, whatever
 * `--clusters` says, and is no canary candidate when it can help it; the deliveries print
 * one line each with time, type, text and whether they were signed.
 */
import { describe, expect, it } from 'vitest';
import { demoAvisiWaves } from '../../src/cli/commands/demo.js';
import {
  demoChannel,
  demoSpecExtras,
  formatDeliveries,
  pickHeldCluster,
  withDemoGate,
} from '../../src/cli/commands/demo-extras.js';
import { compileSelector } from '../../src/domain/selectors.js';
import { parseRolloutSpec } from '../../src/domain/spec.js';
import { notifyChannelsFromEnv } from '../../src/notify/channels.js';
import { resolvePlain } from '../../src/simulator/catalog.js';
import { generateFleet } from '../../src/simulator/index.js';
import type { NotifyDelivery } from '../../src/simulator/notify-receiver.js';

const SIM = 'http://127.0.0.1:8787';
const TARGET = resolvePlain('1.31')!.plain;
const fleetOf = (clusters: number) =>
  generateFleet({ seed: 7, avisi: { clusters }, aether: { clusters }, minors: ['1.30', '1.31'] });

describe('demo extras', () => {
  it('the health check and the demo channel make valid specs, with the cluster id templated into the URL', () => {
    const extras = demoSpecExtras(SIM);
    const waves = demoAvisiWaves(fleetOf(20).avisi![0]!.clusters, '1.31');
    const avisi = parseRolloutSpec({
      platform: 'avisi',
      organisation: 'acme',
      targetVersion: '1.31',
      waves,
      ...extras,
    });
    const aether = parseRolloutSpec({
      platform: 'aether',
      organisation: 'ef0f120e-3782-4eb1-9a43-1dcfbd2c64ac',
      targetVersion: '1.31',
      ...extras,
    });
    for (const plan of [avisi, aether]) expect(plan.healthChecks).toHaveLength(1);
    expect(extras.healthChecks![0]).toMatchObject({ http: { url: `${SIM}/_sim/health/{clusterId}` } });
    expect(extras.notify).toEqual([{ channel: 'demo' }]);
  });

  it('gates the first Avisi wave on the fleet health of its clusters ({waveClusters}), and no wave of a one-wave rollout', () => {
    const waves = withDemoGate(demoAvisiWaves(fleetOf(20).avisi![0]!.clusters, '1.31'), SIM);
    const plan = parseRolloutSpec({ platform: 'avisi', organisation: 'acme', targetVersion: '1.31', waves });
    expect(plan.waves[0]!.gate).toMatchObject({
      name: 'wave-healthy',
      http: { url: `${SIM}/_sim/fleet-health?clusters={waveClusters}`, json: { field: 'status', equals: 'ok' } },
      onFail: 'halt',
    });
    expect(plan.waves.slice(1).every((w) => w.gate === undefined)).toBe(true);
    expect(withDemoGate([{ name: 'all' }], SIM)).toEqual([{ name: 'all' }]);
  });

  it('the worker variables define channel demo at the receiver, with a secret', () => {
    const channel = demoChannel();
    const channels = notifyChannelsFromEnv(channel.env(SIM));
    expect(channels.get('demo')).toMatchObject({
      url: `${SIM}/_sim/notify/demo`,
      secret: channel.secret,
      format: 'json',
    });
    expect(demoChannel().secret).not.toBe(channel.secret);
  });

  it.each([1, 2, 3, 5, 8, 20, 50])(
    '%i clusters: the held cluster moves, and is not a canary candidate when another moves',
    (size) => {
      const fleet = fleetOf(size);
      const avisi = fleet.avisi![0]!.clusters;
      const waves = demoAvisiWaves(avisi, '1.31');
      const held = pickHeldCluster(fleet, waves, '1.31');
      const moving = [
        ...avisi.map((c) => ({ id: c.identity!.toLowerCase(), ...c })),
        ...fleet.aether![0]!.clusters.map((c) => ({ ...c, id: c.id!.toLowerCase() })),
      ].filter((c) => c.version !== TARGET);
      if (moving.length === 0) return expect(held).toBeUndefined();
      const chosen = moving.find((c) => c.id === held?.id && c.name === held.name);
      expect(chosen, 'a cluster that moves').toBeDefined();
      const canary = compileSelector(waves[0]!.match!);
      const isCandidate = (c: (typeof avisi)[number]) =>
        canary({
          id: c.identity!,
          name: c.name,
          platform: 'avisi',
          organisation: 'acme',
          ...(c.environment ? { environment: c.environment } : {}),
        });
      if (avisi.some((c) => c.version !== TARGET && !isCandidate(c)))
        expect(
          held!.platform === 'avisi' && !isCandidate(avisi.find((c) => c.identity!.toLowerCase() === held!.id)!),
        ).toBe(true);
    },
  );

  it('prints one line per delivery: time, type, text, signed', () => {
    const delivery = (seq: number, type: string, signature: NotifyDelivery['signature']): NotifyDelivery => ({
      seq,
      channel: 'demo',
      receivedAt: `2026-03-02T09:14:0${seq}.120Z`,
      status: 200,
      signature,
      duplicate: false,
      body: { type, text: `Rollout r ${type}` },
    });
    const text = formatDeliveries(
      [delivery(1, 'rollout.started', 'valid'), delivery(2, 'rollout.finished', 'valid')],
      true,
    );
    expect(text.split('\n')).toEqual([
      'Notifications to channel "demo" (received by the simulator, GET /_sim/notifications): 2 deliveries, every one signed (HMAC-SHA256, verified by the receiver)',
      '  09:14:01Z  rollout.started   Rollout r rollout.started  [signed]',
      '  09:14:02Z  rollout.finished  Rollout r rollout.finished  [signed]',
    ]);
    expect(formatDeliveries([delivery(1, 'wave.done', 'invalid')], false)).toMatch(
      /0 of them signed[\s\S]*\[BAD SIGNATURE\][\s\S]*still waiting/,
    );
  });
});
