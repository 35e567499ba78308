/**
 * Aether's upgrade model: a client writes the desired `k8s_version`; the operator rolls
 * it out (`upgrading`) and, once settled, reports `observed_kubernetes_version`. Lazy
 * like the Avisi side: a rollout ends when a read finds upgradeDuration has passed.
 *
 * Forced outcomes: SUCCEEDED (running, observed = target), FAILED (failed, observed
 * unchanged), DEGRADED (degraded, observed unchanged, stays so), STUCK (upgrading
 * forever).
 *
 * Assumptions the docs leave open, made explicit here:
 * - A failed or degraded upgrade is retried by writing `k8s_version` again (even the
 *   same value): that starts a new rollout. The API has no separate retry call.
 * - Writing the version the cluster already runs starts nothing: the desired version
 *   is updated and a failed/degraded cluster returns to `running` (a rollback).
 * - Patch downgrades within a minor are accepted (as on Avisi); across minors and
 *   minor skips are 409 `version_skew`.
 * - While `upgrading`, writing the same desired version is a no-op 200 (idempotent,
 *   not a second rollout); any other version is 409 `cluster_not_ready`.
 */
import { minorOf, planStep } from '../domain/versions.js';
import { CATALOG, resolvePlain, type CatalogVersion } from './catalog.js';
import { drawOutcome, type AetherOutcome, type OutcomeProbabilities } from './outcomes.js';
import { fail, ok, type Result } from './problems.js';
import type { SeededRandom } from './random.js';
import type { AetherCluster } from './world.js';

export interface AetherLifecycleConfig {
  readonly upgradeDurationMs: number;
}

/** Brings a cluster up to `now`: ends a rollout whose duration has passed. */
export function settleAetherCluster(cluster: AetherCluster, now: number, config: AetherLifecycleConfig): void {
  const last = cluster.upgrades.at(-1);
  if (!last || last.ended || cluster.status !== 'upgrading' || last.outcome === 'STUCK') return;
  const at = last.startedAt + config.upgradeDurationMs;
  if (now < at) return;
  cluster.updatedAt = at;
  switch (last.outcome) {
    case 'SUCCEEDED':
      last.ended = { status: 'SUCCEEDED', at };
      cluster.observed = last.to;
      cluster.status = 'running';
      cluster.statusMessage = null;
      break;
    case 'FAILED':
      last.ended = { status: 'FAILED', at };
      cluster.status = 'failed';
      cluster.statusMessage = `upgrade to ${last.to.plain} failed: control plane did not become healthy; still running ${last.from.plain}`;
      break;
    case 'DEGRADED':
      last.ended = { status: 'DEGRADED', at };
      cluster.status = 'degraded';
      cluster.statusMessage = `upgrade to ${last.to.plain} incomplete: worker pools unhealthy`;
      break;
  }
}

export interface AetherUpdate {
  readonly name?: string;
  readonly k8s_version?: string;
}

export interface AetherUpdateContext {
  readonly now: number;
  readonly config: AetherLifecycleConfig;
  readonly random: SeededRandom;
  readonly probabilities?: OutcomeProbabilities<AetherOutcome>;
}

const PLAIN_VERSION = /^\d+\.\d+(\.\d+)?$/;

/** Validates the version field alone (400s come before any 409). */
function resolveTarget(text: string): Result<CatalogVersion> {
  if (!PLAIN_VERSION.test(text)) {
    const example = 'e.g. 1.31 or 1.31.6';
    return badVersion(
      'invalid_format',
      `must be MAJOR.MINOR or MAJOR.MINOR.PATCH, ${example}; got ${JSON.stringify(text)}`,
    );
  }
  const target = resolvePlain(text);
  if (!target)
    return badVersion(
      'unsupported_version',
      `${text} is not offered; offered: ${CATALOG.map((v) => v.plain).join(', ')}`,
    );
  return ok(target);
}

/** Aether's 400 for a bad `k8s_version`, with the one field's code and message. */
function badVersion(code: string, message: string): Result<never> {
  return fail({
    status: 400,
    code: 'validation_failed',
    message: 'request validation failed',
    fields: [{ field: 'k8s_version', code, message }],
  });
}

/** PUT /organizations/{org}/clusters/{id}. `changed` is false for a no-op (same name, same desired version). */
export function updateAetherCluster(
  cluster: AetherCluster,
  update: AetherUpdate,
  ctx: AetherUpdateContext,
): Result<{ changed: boolean }> {
  settleAetherCluster(cluster, ctx.now, ctx.config);
  let target: CatalogVersion | undefined;
  if (update.k8s_version !== undefined) {
    const resolved = resolveTarget(update.k8s_version);
    if (!resolved.ok) return resolved;
    target = resolved.value;
  }

  let startRollout = false;
  let rollback = false;
  if (target && update.k8s_version !== undefined) {
    const active = cluster.status === 'upgrading' ? cluster.upgrades.at(-1) : undefined;
    if (active) {
      if (active.to.plain !== target.plain) {
        return fail({
          status: 409,
          code: 'cluster_not_ready',
          message: `cluster is upgrading to ${active.to.plain}; wait until it settles before changing k8s_version`,
        });
      }
      // Same target while upgrading: idempotent, the rollout in flight continues.
      target = undefined;
    } else if (cluster.status !== 'running' && cluster.status !== 'failed' && cluster.status !== 'degraded') {
      return fail({
        status: 409,
        code: 'cluster_not_ready',
        message: `cluster is ${cluster.status}; k8s_version can change only when it is running, failed or degraded`,
      });
    } else if (target.plain === cluster.observed.plain) {
      rollback = cluster.status !== 'running';
    } else {
      const step = planStep(cluster.observed.version, target.version);
      if (step.kind === 'rejected' && minorOf(cluster.observed.version) !== minorOf(target.version)) {
        return fail({
          status: 409,
          code: 'version_skew',
          message: `cannot move from ${cluster.observed.plain} to ${target.plain}: downgrades across minor versions are not allowed`,
        });
      }
      if (step.kind === 'upgrade' && step.hops > 1) {
        return fail({
          status: 409,
          code: 'version_skew',
          message: `cannot upgrade from ${cluster.observed.plain} to ${target.plain}: upgrade one minor version at a time (next: ${cluster.observed.version.major}.${cluster.observed.version.minor + 1})`,
        });
      }
      startRollout = true;
    }
  }

  let changed = false;
  if (update.name !== undefined && update.name !== cluster.name) {
    cluster.name = update.name;
    changed = true;
  }
  if (
    target &&
    update.k8s_version !== undefined &&
    (startRollout || rollback || cluster.desired !== update.k8s_version)
  ) {
    cluster.desired = update.k8s_version;
    changed = true;
  }
  if (rollback) {
    cluster.status = 'running';
    cluster.statusMessage = null;
  }
  if (startRollout && target) {
    cluster.upgrades.push({
      from: cluster.observed,
      to: target,
      desired: cluster.desired,
      startedAt: ctx.now,
      outcome: drawOutcome(cluster.outcomes, ctx.probabilities, ctx.random),
    });
    cluster.status = 'upgrading';
    cluster.statusMessage = `rolling out Kubernetes ${target.plain}`;
  }
  if (changed) cluster.updatedAt = ctx.now;
  return ok({ changed });
}
