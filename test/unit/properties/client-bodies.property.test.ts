/**
 * Properties of the platform clients under malformed answers, seen through the
 * activities the workflows run (createActivities over the real clients, in a
 * MockActivityEnvironment; the platform is the scripted fake API of
 * test/platforms/support/fake-api.ts). Bodies are valid ones with fields dropped,
 * retyped or replaced, unknown status words, other clusters' bodies, arbitrary JSON,
 * text that is not JSON, and error statuses.
 *
 * Whatever comes back, an activity ends in one of two ways: a typed result, or an
 * ApplicationFailure Temporal knows what to do with (never a TypeError that would fail
 * the attempt for a reason nobody can read). And nothing reports an upgrade SUCCEEDED,
 * or a cluster running the target, unless that very body said so about that very
 * cluster: the workflow marks a cluster upgraded only on those two words (see
 * cluster-upgrade.ts, "verify").
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../../src/activities/index.js';
import { PLATFORM_API_ERROR, PLATFORM_API_ERROR_FINAL } from '../../../src/activities/failures.js';
import { NOT_SETTLED } from '../../../src/activities/upgrade.js';
import type { PlatformName } from '../../../src/domain/platform.js';
import { parseVersion, satisfiesTarget } from '../../../src/domain/versions.js';
import { silentLogger } from '../../../src/logger.js';
import {
  createAetherClient,
  createAvisiClient,
  TERMINAL_UPGRADE_STATUSES,
  type ClusterSnapshot,
  type UpgradeState,
} from '../../../src/platforms/index.js';
import { startFakeApi, type FakeApi, type FakeResponse } from '../../platforms/support/fake-api.js';

const RUNS = { numRuns: 150 } as const;
const ORG = 'a1b2c3d4-0000-4000-8000-000000000001';
const CLUSTER = '5e08fe67-1274-475d-bd0c-a65b0330507f';
const OTHER_CLUSTER = '7d3c2f10-8a4b-4c5d-9e6f-0a1b2c3d4e5f';
const UPGRADE = '10a80a7a-1a32-4a74-b592-aa2a4ef691c5';
/** What the rollout upgrades to: Avisi's spelling of 1.31.6, Aether's minor. */
const AVISI_TARGET = 'v1.31.6-u-ame.1';
const AETHER_TARGET = '1.31';
const TARGET = parseVersion(AETHER_TARGET)!;

/** Activity failures the workflows handle: a poll not settled yet, or a platform error (retryable or final). */
const HANDLED_FAILURES = [NOT_SETTLED, PLATFORM_API_ERROR, PLATFORM_API_ERROR_FINAL];
const QUIET = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

let api: FakeApi;
beforeAll(async () => {
  api = await startFakeApi();
});
afterAll(() => api?.close());

/** Fresh clients for each run (Avisi keeps a cluster location cache), no retries: one response per request. */
function activities() {
  const options = { apiUrl: api.url, retryLimit: 0, timeoutMs: 2_000 };
  const clients = {
    avisi: createAvisiClient({ ...options, token: 'avisi-token' }),
    aether: createAetherClient({ ...options, token: 'aether_00ff' }),
  };
  return createActivities({ clientFor: (platform: PlatformName) => clients[platform], logger: silentLogger });
}

type Outcome<T> = { ok: true; value: T } | { ok: false; failure: ApplicationFailure };

/** Runs an activity; anything it throws other than a handled ApplicationFailure fails the property. */
async function run<I, O>(activity: (input: I) => Promise<O>, input: I): Promise<Outcome<O>> {
  try {
    return {
      ok: true,
      value: (await new MockActivityEnvironment(undefined, { logger: QUIET }).run(activity, input)) as O,
    };
  } catch (error) {
    expect(error, `not an ApplicationFailure: ${String(error)}`).toBeInstanceOf(ApplicationFailure);
    expect(HANDLED_FAILURES).toContain((error as ApplicationFailure).type);
    return { ok: false, failure: error as ApplicationFailure };
  }
}

const DROP = Symbol('drop');

/** A body built from `valid`: each field kept, dropped, replaced by one of its `likely` values, or by any JSON; sometimes more fields. */
function mutated(
  valid: Record<string, unknown>,
  likely: Record<string, fc.Arbitrary<unknown>>,
): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.fromEntries(
    Object.entries(valid).map(([key, value]) => [
      key,
      fc.oneof(
        { weight: 5, arbitrary: fc.constant(value) },
        { weight: 1, arbitrary: fc.constant(DROP) },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
        { weight: likely[key] ? 4 : 0, arbitrary: likely[key] ?? fc.constant(value) },
      ),
    ]),
  );
  return fc
    .tuple(fc.record(fields), fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }))
    .map(([body, extra]) => ({ ...extra, ...Object.fromEntries(Object.entries(body).filter(([, v]) => v !== DROP)) }));
}

/** An answer: mostly a 200 with a mutated body; else any JSON, text that is not JSON, or an error status. */
function answers(body: fc.Arbitrary<unknown>): fc.Arbitrary<FakeResponse> {
  const status = fc.constantFrom(200, 201, 204, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503);
  return fc.oneof(
    { weight: 12, arbitrary: body.map((b) => ({ status: 200, body: b })) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((b) => ({ status: 200, body: b })) },
    { weight: 1, arbitrary: fc.record({ status, raw: fc.string({ maxLength: 40 }) }) },
    { weight: 2, arbitrary: fc.record({ status, body }) },
  );
}

const versionWords = fc.constantFrom(
  'v1.31.6-u-ame.1',
  'v1.31.2-u-ame.1',
  '1.31',
  '1.31.0',
  'v1.30.4-u-ame.3',
  '1.30.4',
  '1.32.0',
  '2.31.6',
  'v1.31',
  'latest',
  '',
  ' 1.31.6 ',
);
const ids = fc.constantFrom(CLUSTER, CLUSTER.toUpperCase(), OTHER_CLUSTER, UPGRADE, '', 'not-a-uuid');

const avisiUpgradeBody = mutated(
  {
    identity: UPGRADE,
    clusterIdentity: CLUSTER,
    createdAt: '2025-01-01T10:00:00Z',
    windowStart: '2025-01-02T02:00:00Z',
    windowEnd: '2025-01-02T06:00:00Z',
    reason: null,
    fromClusterVersion: 'v1.30.4-u-ame.3',
    toClusterVersion: AVISI_TARGET,
    status: 'IN_PROGRESS',
  },
  {
    identity: ids,
    clusterIdentity: ids,
    toClusterVersion: versionWords,
    windowStart: fc.oneof(
      fc.constant('not a date'),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    ),
    status: fc.constantFrom(
      'SUCCEEDED',
      'succeeded',
      ' SUCCEEDED ',
      'SUCCEEDED_PARTIALLY',
      'SUCCESS',
      'FAILED',
      'MISSED',
      'SUPERSEDED',
      'CANCELED',
      'SKIPPED',
      'UPDATED',
      'SCHEDULED_NOTIFIED',
      'REQUESTED',
      'IN_PROGRESS',
      '',
      'NEW_STATUS',
    ),
  },
);

const aetherClusterBody = mutated(
  {
    id: CLUSTER,
    org_id: ORG,
    name: 'edge-1',
    region: 'eu-west',
    k8s_version: AETHER_TARGET,
    status: 'upgrading',
    status_message: null,
    observed_kubernetes_version: '1.30.4',
    created_at: '2025-01-01T00:00:00Z',
    updated_at: '2025-01-01T00:00:00Z',
  },
  {
    id: ids,
    k8s_version: versionWords,
    observed_kubernetes_version: fc.oneof(versionWords, fc.constant(null)),
    status: fc.constantFrom(
      'running',
      'RUNNING',
      ' running ',
      'upgrading',
      'degraded',
      'failed',
      'deleting',
      'provisioning',
      'runnin',
      'stopped',
      '',
    ),
  },
);

const avisiClusterBody = mutated(
  {
    identity: CLUSTER,
    name: 'Prod 1',
    slug: 'prod-1',
    environmentSlug: 'production',
    organisationSlug: 'acme',
    version: 'v1.30.4-u-ame.3',
    status: 'running',
  },
  { identity: ids, version: versionWords, status: fc.constantFrom('running', 'stopped', 'started', 'upgrading', '') },
);

/** The body, when it is a JSON object that an HTTP 2xx brought. */
function objectBody(response: FakeResponse): Record<string, unknown> | undefined {
  const ok = (response.status ?? 200) >= 200 && (response.status ?? 200) < 300;
  return ok &&
    response.raw === undefined &&
    response.body &&
    typeof response.body === 'object' &&
    !Array.isArray(response.body)
    ? (response.body as Record<string, unknown>)
    : undefined;
}

const sameId = (value: unknown, id: string) => typeof value === 'string' && value.toLowerCase() === id;
const runsTarget = (value: unknown) => {
  const version = typeof value === 'string' ? parseVersion(value) : undefined;
  return version !== undefined && satisfiesTarget(version, TARGET);
};

/** Whether the body said the Aether cluster runs the target: aether-operator reported it (or, being created, it is created at it). */
function aetherSaysRunning(body: Record<string, unknown> | undefined): boolean {
  if (!body || !sameId(body.id, CLUSTER)) return false;
  if (body.observed_kubernetes_version !== null && body.observed_kubernetes_version !== undefined)
    return runsTarget(body.observed_kubernetes_version);
  return (
    typeof body.status === 'string' &&
    body.status.trim().toLowerCase() === 'provisioning' &&
    runsTarget(body.k8s_version)
  );
}

const avisiUpgrade: UpgradeState = {
  upgradeId: UPGRADE,
  clusterId: CLUSTER,
  toVersion: AVISI_TARGET,
  status: 'SCHEDULED',
  rawStatus: 'SCHEDULED',
};
const aetherUpgrade: UpgradeState = {
  upgradeId: CLUSTER,
  clusterId: CLUSTER,
  toVersion: AETHER_TARGET,
  status: 'IN_PROGRESS',
  rawStatus: 'upgrading',
};
const until = fc.constantFrom('scheduled' as const, 'settled' as const);

describe('pollUpgrade on malformed answers', () => {
  it('Avisi: a result or a handled failure; SUCCEEDED only when the body said so of this upgrade', async () => {
    await fc.assert(
      fc.asyncProperty(answers(avisiUpgradeBody), until, async (response, mode) => {
        api.route('GET', `/orgs/acme/scheduled-cluster-upgrades/${UPGRADE}`, response);
        const outcome = await run(activities().pollUpgrade, {
          platform: 'avisi',
          organisation: 'acme',
          clusterId: CLUSTER,
          upgrade: avisiUpgrade,
          until: mode,
        });
        if (!outcome.ok) return;
        const body = objectBody(response);
        expect(body, 'a result from an answer that was not a JSON object').toBeDefined();
        if (mode === 'settled') expect(TERMINAL_UPGRADE_STATUSES.has(outcome.value.status)).toBe(true);
        if (outcome.value.status === 'SUCCEEDED') {
          expect(String(body!.status).trim().toUpperCase()).toBe('SUCCEEDED');
          expect(sameId(body!.identity, UPGRADE)).toBe(true);
          expect(sameId(body!.clusterIdentity, CLUSTER)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('Aether: a result or a handled failure; SUCCEEDED only when the body reported this cluster running the target', async () => {
    await fc.assert(
      fc.asyncProperty(answers(aetherClusterBody), until, async (response, mode) => {
        api.route('GET', `/organizations/${ORG}/clusters/${CLUSTER}`, response);
        const outcome = await run(activities().pollUpgrade, {
          platform: 'aether',
          organisation: ORG,
          clusterId: CLUSTER,
          upgrade: aetherUpgrade,
          until: mode,
        });
        if (!outcome.ok) return;
        const body = objectBody(response);
        expect(body, 'a result from an answer that was not a JSON object').toBeDefined();
        if (outcome.value.status === 'SUCCEEDED') {
          expect(String(body!.status).trim().toLowerCase()).toBe('running');
          expect(sameId(body!.id, CLUSTER)).toBe(true);
          expect(runsTarget(body!.observed_kubernetes_version)).toBe(true);
        }
      }),
      RUNS,
    );
  });
});

describe('readCluster (the verification of an upgrade) on malformed answers', () => {
  it('Avisi: a result or a handled failure; at the target only when the body said this cluster runs it', async () => {
    await fc.assert(
      fc.asyncProperty(answers(avisiClusterBody), async (response) => {
        // The list tells where the cluster lives; the answer under test is the cluster's own.
        api.route('GET', '/orgs/acme/clusters', {
          body: {
            content: [
              {
                identity: CLUSTER,
                name: 'Prod 1',
                slug: 'prod-1',
                environmentSlug: 'production',
                version: 'v1.30.4-u-ame.3',
                status: 'running',
              },
            ],
            last: true,
          },
        });
        api.route('GET', '/orgs/acme/clusters/production/prod-1', response);
        const outcome = await run(activities().readCluster, {
          platform: 'avisi',
          organisation: 'acme',
          clusterId: CLUSTER,
        });
        if (!outcome.ok) return;
        const cluster: ClusterSnapshot = outcome.value;
        expect(cluster.id).toBe(CLUSTER);
        if (runsTarget(cluster.version)) {
          const body = objectBody(response);
          expect(body && sameId(body.identity, CLUSTER) && runsTarget(body.version)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('Aether: a result or a handled failure; at the target only when the body reported this cluster running it', async () => {
    await fc.assert(
      fc.asyncProperty(answers(aetherClusterBody), async (response) => {
        api.route('GET', `/organizations/${ORG}/clusters/${CLUSTER}`, response);
        const outcome = await run(activities().readCluster, {
          platform: 'aether',
          organisation: ORG,
          clusterId: CLUSTER,
        });
        if (!outcome.ok) return;
        expect(outcome.value.id).toBe(CLUSTER);
        if (runsTarget(outcome.value.version)) expect(aetherSaysRunning(objectBody(response))).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('requestUpgrade on malformed answers', () => {
  it('Aether: a result or a handled failure; never SUCCEEDED unless the answer to the PUT reported the target running', async () => {
    await fc.assert(
      fc.asyncProperty(answers(aetherClusterBody), async (response) => {
        const path = `/organizations/${ORG}/clusters/${CLUSTER}`;
        api.route('GET', path, {
          body: {
            id: CLUSTER,
            org_id: ORG,
            name: 'edge-1',
            region: 'eu-west',
            k8s_version: '1.30.4',
            status: 'running',
            observed_kubernetes_version: '1.30.4',
            created_at: '2025-01-01T00:00:00Z',
            updated_at: '2025-01-01T00:00:00Z',
          },
        });
        api.route('PUT', path, response);
        const outcome = await run(activities().requestUpgrade, {
          platform: 'aether',
          organisation: ORG,
          clusterId: CLUSTER,
          version: AETHER_TARGET,
        });
        if (!outcome.ok || outcome.value.upgrade.status !== 'SUCCEEDED') return;
        const body = objectBody(response);
        expect(
          body &&
            String(body.status).trim().toLowerCase() === 'running' &&
            sameId(body.id, CLUSTER) &&
            runsTarget(body.observed_kubernetes_version),
        ).toBe(true);
      }),
      RUNS,
    );
  });

  it('Avisi: a result or a handled failure; never SUCCEEDED unless the answer to the POST said so of this cluster', async () => {
    await fc.assert(
      fc.asyncProperty(answers(avisiUpgradeBody), async (response) => {
        api.route('GET', '/orgs/acme/clusters', {
          body: {
            content: [
              {
                identity: CLUSTER,
                name: 'Prod 1',
                slug: 'prod-1',
                environmentSlug: 'production',
                version: 'v1.30.4-u-ame.3',
                status: 'running',
              },
            ],
            last: true,
          },
        });
        api.route('GET', '/orgs/acme/clusters/production/prod-1', {
          body: {
            identity: CLUSTER,
            name: 'Prod 1',
            slug: 'prod-1',
            environmentSlug: 'production',
            version: 'v1.30.4-u-ame.3',
            status: 'running',
          },
        });
        api.route('GET', '/orgs/acme/scheduled-cluster-upgrades', { body: { content: [], last: true } });
        api.route('GET', '/cluster-versions', { body: [{ version: AVISI_TARGET }] });
        api.route('POST', '/orgs/acme/scheduled-cluster-upgrades', response);
        const outcome = await run(activities().requestUpgrade, {
          platform: 'avisi',
          organisation: 'acme',
          clusterId: CLUSTER,
          version: AVISI_TARGET,
        });
        if (!outcome.ok || outcome.value.upgrade.status !== 'SUCCEEDED') return;
        const body = objectBody(response);
        expect(
          body && String(body.status).trim().toUpperCase() === 'SUCCEEDED' && sameId(body.clusterIdentity, CLUSTER),
        ).toBe(true);
      }),
      RUNS,
    );
  });
});
