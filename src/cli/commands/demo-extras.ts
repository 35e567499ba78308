/**
 * What `fleet demo` adds to its rollouts so a newcomer sees them work (issue 11): a
 * health check on every cluster, against the demo simulator's own `/_sim/health/{id}`
 * (no Prometheus needed), with one cluster whose workloads come up only a few seconds
 * after its upgrade, so the check visibly holds it; a gate on the first Avisi wave, asking
 * the simulator's fleet health API about the wave's clusters before the next wave may
 * start; and a notification channel `demo` pointed at the simulator's receiver, whose
 * signed deliveries are printed at the end.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { ClusterResult } from '../../domain/report.js';
import { compileSelector } from '../../domain/selectors.js';
import type { RolloutSpec } from '../../domain/spec.js';
import { LATEST_PATCH } from '../../domain/channels.js';
import { minorOf, mustParseVersion } from '../../domain/versions.js';
import { patchesOf, resolvePlain } from '../../simulator/catalog.js';
import type { FleetDefinition } from '../../simulator/index.js';
import type { NotifyDelivery } from '../../simulator/notify-receiver.js';
import { clusterLockId } from '../../workflows/cluster/ids.js';
import { FleetPhase } from '../../workflows/search-attributes.js';

type DemoWave = NonNullable<RolloutSpec['waves']>[number];
type Say = (line: string) => void;

export const DEMO_CHANNEL = 'demo';
export const HEALTH_CHECK = 'workloads';
export const GATE = 'wave-healthy';
/**
 * Real seconds the held cluster stays degraded once its upgrade is done (times in
 * /_sim/health are real, not simulated).
 */
export const HOLD_SECONDS = 6;
const PASS_FOR = '2s';

/**
 * The spec fields every demo rollout gets: an `http` check of each cluster's simulated
 * health (`{clusterId}` is filled in per cluster) that must pass for 2 s, observed every
 * half second, within 30 s; and the `demo` channel hearing every event.
 */
export function demoSpecExtras(simUrl: string): Pick<RolloutSpec, 'healthChecks' | 'notify'> {
  return {
    healthChecks: [
      {
        name: HEALTH_CHECK,
        http: { url: `${simUrl}/_sim/health/{clusterId}`, status: 200, json: { field: 'status', equals: 'ok' } },
        passFor: PASS_FOR,
        interval: '500ms',
        timeout: '30s',
      },
    ],
    notify: [{ channel: DEMO_CHANNEL }],
  };
}

/**
 * The waves with a gate on the first: every cluster it started must be healthy by the
 * simulator's fleet health API (`{waveClusters}` names them) for 2 s before the next
 * wave starts. A one-wave rollout has nothing to open, so gets none.
 */
export function withDemoGate(waves: readonly DemoWave[], simUrl: string): DemoWave[] {
  if (waves.length < 2) return [...waves];
  const gate = {
    name: GATE,
    http: {
      url: `${simUrl}/_sim/fleet-health?clusters={waveClusters}`,
      status: 200,
      json: { field: 'status', equals: 'ok' },
    },
    passFor: PASS_FOR,
    interval: '500ms',
    timeout: '30s',
  };
  return [{ ...waves[0]!, gate }, ...waves.slice(1)];
}

/**
 * The signing secret of the `demo` channel, and the worker variables that point the
 * channel at the simulator's receiver.
 */
export function demoChannel(): { secret: string; env: (simUrl: string) => Record<string, string> } {
  const secret = `whsec_demo_${randomBytes(16).toString('hex')}`;
  return {
    secret,
    env: (simUrl) => ({
      FLEET_NOTIFY_DEMO_URL: `${simUrl}/_sim/notify/${DEMO_CHANNEL}`,
      FLEET_NOTIFY_DEMO_SECRET: secret,
    }),
  };
}

export interface HeldCluster {
  readonly platform: 'avisi' | 'aether';
  readonly id: string;
  readonly name: string;
}

/**
 * Where the simulator's catalog takes a cluster running `version`: the target's latest
 * patch, or with `latest-patch` its own minor's.
 */
export function demoTargetOf(targetVersion: string, version: string): string {
  if (targetVersion === LATEST_PATCH) return patchesOf(minorOf(mustParseVersion(version))).at(-1)?.plain ?? version;
  return resolvePlain(targetVersion)?.plain ?? targetVersion;
}

/**
 * The cluster whose health the demo holds back: one that moves, preferably in the Avisi
 * wave after the canary (so that wave, and every later one, waits for it) and not a canary
 * candidate; failing that any Avisi cluster that moves, then any Aether one.
 */
export function pickHeldCluster(
  fleet: FleetDefinition,
  avisiWaves: readonly DemoWave[],
  targetVersion: string,
): HeldCluster | undefined {
  const moves = (version: string) => version !== demoTargetOf(targetVersion, version);
  const avisi = (fleet.avisi?.[0]?.clusters ?? []).filter((c) => c.identity !== undefined && moves(c.version));
  const canary =
    avisiWaves[0]?.name === 'canary' && avisiWaves[0].match ? compileSelector(avisiWaves[0].match) : () => false;
  const notCanary = avisi.filter(
    (c) =>
      !canary({
        id: c.identity!,
        name: c.name,
        platform: 'avisi',
        organisation: '',
        ...(c.environment ? { environment: c.environment } : {}),
      }),
  );
  const next = avisiWaves[1]?.match?.environment;
  const chosen = notCanary.find((c) => next !== undefined && c.environment === next) ?? notCanary[0] ?? avisi[0];
  if (chosen) return { platform: 'avisi', id: chosen.identity!.toLowerCase(), name: chosen.name };
  const aether = (fleet.aether?.[0]?.clusters ?? []).find((c) => c.id !== undefined && moves(c.version));
  return aether ? { platform: 'aether', id: aether.id!.toLowerCase(), name: aether.name } : undefined;
}

/** What the demo says before the rollouts start, about the check and the channel. */
export function describeExtras(simUrl: string, held: HeldCluster | undefined, gatedWave?: string): string[] {
  const slow = held ? `; ${held.name} (${held.platform}) comes up only ${HOLD_SECONDS} s after its upgrade` : '';
  return [
    `health check "${HEALTH_CHECK}" on every cluster after its upgrade: GET ${simUrl}/_sim/health/{clusterId} must answer 200 {"status": "ok"} for ${PASS_FOR}${slow}`,
    ...(gatedWave
      ? [
          `gate "${GATE}" after the Avisi wave ${gatedWave}, before the next: GET ${simUrl}/_sim/fleet-health?clusters={waveClusters} (the wave's cluster names) must answer 200 {"status": "ok"} for ${PASS_FOR}; failing would halt the rollout`,
        ]
      : []),
    `notifications: channel ${DEMO_CHANNEL} -> ${simUrl}/_sim/notify/${DEMO_CHANNEL} (the simulator's receiver), signed with FLEET_NOTIFY_DEMO_SECRET`,
  ];
}

const putHealth = async (simUrl: string, id: string, body: object): Promise<void> => {
  const response = await fetch(`${simUrl}/_sim/health/${id}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`PUT /_sim/health/${id}: ${response.status} ${await response.text()}`);
};

/** Before the rollouts start: the held cluster's workloads are down until its upgrade is done. */
export const holdBack = (simUrl: string, cluster: HeldCluster): Promise<void> =>
  putHealth(simUrl, cluster.id, { healthy: false });

/**
 * Watches the held cluster's upgrade workflow (its FleetPhase); once it is checking
 * health, makes the cluster healthy HOLD_SECONDS from now and tells what the check does,
 * then how it ended. Gives up quietly when the rollout ends first (`rolloutDone`).
 */
export async function watchHeldCluster(options: {
  client: Client;
  simUrl: string;
  rolloutId: string;
  cluster: HeldCluster;
  rolloutDone: Promise<unknown>;
  say: Say;
}): Promise<void> {
  await watching(options).catch((error: unknown) =>
    options.say(`could not watch ${options.cluster.name}: ${error instanceof Error ? error.message : String(error)}`),
  );
}

async function watching(options: Parameters<typeof watchHeldCluster>[0]): Promise<void> {
  const { client, simUrl, cluster, say } = options;
  let over = false;
  void options.rolloutDone.finally(() => (over = true)).catch(() => undefined);
  const handle = client.workflow.getHandle<() => Promise<ClusterResult>>(clusterLockId(cluster.platform, cluster.id));
  while (!over) {
    const description = await handle.describe().catch(() => undefined);
    if (description && description.status.name !== 'RUNNING') return;
    if (description?.typedSearchAttributes.get(FleetPhase) === 'checking-health') {
      await putHealth(simUrl, cluster.id, { healthyAfterSeconds: HOLD_SECONDS });
      const since = Date.now();
      say(
        `health check "${HEALTH_CHECK}": ${cluster.name} (${cluster.platform}) is upgraded, but /_sim/health/${cluster.id} answers 503 degraded for ${HOLD_SECONDS} s more: the check holds it (it must pass for ${PASS_FOR})`,
      );
      const result = await handle.result().catch((error: unknown) => error as Error);
      const took = ((Date.now() - since) / 1000).toFixed(1);
      if (result instanceof Error)
        say(`health check "${HEALTH_CHECK}": ${cluster.name}'s workflow failed: ${result.message}`);
      else if (result.outcome === 'SUCCEEDED')
        say(
          `health check "${HEALTH_CHECK}": ${cluster.name} passed after ${took} s (healthy for ${PASS_FOR}); it counts as upgraded`,
        );
      else say(`health check "${HEALTH_CHECK}": ${cluster.name} ended ${result.outcome}: ${result.message ?? ''}`);
      return;
    }
    await Promise.race([
      options.rolloutDone.catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 250)),
    ]);
  }
}

const typeOf = (d: NotifyDelivery): string => String((d.body as { type?: unknown } | null)?.type ?? '?');

/**
 * Every delivery the receiver took for the `demo` channel, once each rollout's
 * `rollout.finished` has arrived and nothing new came for a second (deliveries are fire
 * and forget: they may land after the rollout returned); whatever it has after `timeoutMs`.
 */
export async function demoDeliveries(
  simUrl: string,
  rolloutIds: readonly string[],
  timeoutMs = 30_000,
): Promise<{ deliveries: NotifyDelivery[]; complete: boolean }> {
  const deadline = Date.now() + timeoutMs;
  let seen = -1;
  for (;;) {
    const response = await fetch(`${simUrl}/_sim/notifications?channel=${DEMO_CHANNEL}`);
    const { notifications } = (await response.json()) as { notifications: NotifyDelivery[] };
    const finished = rolloutIds.every((id) =>
      notifications.some(
        (d) =>
          d.status === 200 && typeOf(d) === 'rollout.finished' && (d.body as { rolloutId?: unknown }).rolloutId === id,
      ),
    );
    if ((finished && notifications.length === seen) || Date.now() >= deadline)
      return { deliveries: notifications, complete: finished };
    seen = notifications.length;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

const SIGNATURE: Record<NotifyDelivery['signature'], string> = {
  valid: 'signed',
  invalid: 'BAD SIGNATURE',
  missing: 'UNSIGNED',
  unchecked: 'signature not checked',
};

/** The deliveries, one line each: time received (UTC), event type, its text, and whether its signature verified. */
export function formatDeliveries(deliveries: readonly NotifyDelivery[], complete: boolean): string {
  const signed = deliveries.filter((d) => d.signature === 'valid').length;
  const head = `Notifications to channel "${DEMO_CHANNEL}" (received by the simulator, GET /_sim/notifications): ${deliveries.length} deliveries, ${signed === deliveries.length ? 'every one' : `${signed} of them`} signed (HMAC-SHA256, verified by the receiver)`;
  const width = Math.max(0, ...deliveries.map((d) => typeOf(d).length));
  const lines = deliveries.map((d) => {
    const notes = [
      SIGNATURE[d.signature],
      ...(d.status !== 200 ? [`answered ${d.status}`] : []),
      ...(d.duplicate ? ['duplicate'] : []),
    ].join(', ');
    const text = String((d.body as { text?: unknown } | null)?.text ?? '');
    return `  ${d.receivedAt.slice(11, 19)}Z  ${typeOf(d).padEnd(width)}  ${text}  [${notes}]`;
  });
  return [
    head,
    ...lines,
    ...(complete
      ? []
      : [
          '  (still waiting for some rollout.finished after 30 s; `--keep` keeps the receiver up: GET /_sim/notifications)',
        ]),
  ].join('\n');
}
