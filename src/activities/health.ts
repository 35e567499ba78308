/**
 * The health-check activities (docs/spec.md "Health checks"):
 *
 * - `runHealthChecks`: after a cluster's upgrade succeeded, observes each of its checks
 *   every `interval`, in process, heartbeating the last observation, until every check
 *   has passed for its `passFor` or one fails (did not start passing within `timeout`,
 *   or cannot run at all). Either way the answer is data (`passed: false` names the
 *   check and its last value): a failed check is the cluster's outcome, not an error to
 *   retry. The verdicts follow domain/health-progress.ts.
 * - `checkHealthConfig`: for planning, the header variables the spec names that are not
 *   set on this worker, so the rollout fails before any upgrade, naming them.
 *
 * A retried attempt (the worker died) continues from its last heartbeat: the checks'
 * clocks and verdicts carry over, so a timeout is not restarted by a crash.
 *
 * Nothing secret leaves: header values are read by name from the worker's environment
 * and every value this run reports is redacted of them (health-probe.ts).
 */
import { Context } from '@temporalio/activity';
import { setTimeout as delay } from 'node:timers/promises';
import { formatDuration } from '../domain/durations.js';
import {
  HEALTH_ENV_NAME,
  healthFactsOf,
  type ClusterFacts,
  type HealthCheck,
  type TemplateFacts,
} from '../domain/health.js';
import type { Logger } from '../logger.js';
import { clip, MAX_DETAIL_LENGTH } from '../domain/health-judge.js';
import {
  isCheckProgress,
  isOver,
  nextObservationAt,
  observe,
  resumeCheck,
  startCheck,
  type CheckProgress,
  type CheckVerdict,
} from '../domain/health-progress.js';
import type { ActivityDeps } from './deps.js';
import { withPlatformFailures } from './failures.js';
import { observeOnce, prepareProbe, type Secrets } from './health-probe.js';
import type { ClusterCall } from './upgrade.js';

export interface RunHealthChecksInput extends ClusterCall {
  /** The cluster's checks: `healthChecksFor(plan, wave)` (domain/health.ts). */
  readonly checks: readonly HealthCheck[];
  /** The templates' values; absent: read from the platform (one `getCluster`) at the start of each attempt. */
  readonly facts?: ClusterFacts;
}

export interface HealthCheckReport {
  readonly name: string;
  /** `waiting`/`passing`: stopped before it ended (another check failed). */
  readonly verdict: CheckVerdict;
  readonly observations: number;
  /** The last value seen, e.g. `1`, `0 (below min 1)`, `status 503 (expected 200)`, `empty result`. */
  readonly last?: string;
}

export type RunHealthChecksResult =
  | { readonly passed: true; readonly results: readonly HealthCheckReport[] }
  | {
      readonly passed: false;
      /** The check that failed. */
      readonly check: string;
      /** For the cluster's report line: the check's name, why, and its last value. */
      readonly reason: string;
      readonly results: readonly HealthCheckReport[];
    };

export interface CheckHealthConfigInput {
  /** `headerVariablesOf(plan)` (domain/health.ts). */
  readonly variables: readonly string[];
}

export interface CheckHealthConfigResult {
  /**
   * Not set (or empty) on this worker, or outside FLEET_HEALTH_* (never read): the rollout
   * cannot check its clusters.
   */
  readonly missing: readonly string[];
}

/** What a heartbeat carries: each check's progress by name, values already redacted. */
interface HealthHeartbeat {
  readonly checks: Readonly<Record<string, CheckProgress>>;
}

export interface HealthActivityOptions {
  /** Where header variables are read; default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

export function createHealthActivities(deps: ActivityDeps, options: HealthActivityOptions = {}) {
  const env = () => options.env ?? process.env;

  async function checkHealthConfig(input: CheckHealthConfigInput): Promise<CheckHealthConfigResult> {
    const missing = [...new Set(input.variables)].filter((name) => !HEALTH_ENV_NAME.test(name) || !env()[name]).sort();
    // Names only: the values are what must never leave the worker.
    if (missing.length > 0) deps.logger.warn({ missing }, 'health check header variables not set on this worker');
    return { missing };
  }

  async function runHealthChecks(input: RunHealthChecksInput): Promise<RunHealthChecksResult> {
    const log = deps.logger.child({ platform: input.platform });
    const facts =
      input.facts ??
      healthFactsOf(
        await withPlatformFailures(() =>
          deps.clientFor(input.platform).getCluster(input.organisation, input.clusterId),
        ),
        input.platform,
      );
    return watchChecks(input.checks, facts, log, env());
  }

  return { runHealthChecks, checkHealthConfig };
}

/**
 * Observes `checks` (their templates filled from `facts`) until each has passed for its
 * `passFor` or one fails, heartbeating their progress; a retried attempt continues from
 * the last heartbeat. A wave gate (gate.ts) is watched the same way.
 */
export async function watchChecks(
  checks: readonly HealthCheck[],
  facts: TemplateFacts,
  log: Logger,
  env: NodeJS.ProcessEnv,
  noun = 'health check',
): Promise<RunHealthChecksResult> {
  const context = Context.current();
  const secrets: Secrets = new Set();
  const probes = checks.map((check) => prepareProbe(check, facts, env, secrets));
  const progress = new Map(
    checks.map((check) => [check.name, resumed(context.info.heartbeatDetails, check.name) ?? startCheck(Date.now())]),
  );
  const report = (): HealthCheckReport[] => checks.map((check) => reportOf(check.name, progress.get(check.name)!));

  // A check that cannot run at all (a variable not set here, a fact the cluster lacks) fails before any request.
  const unrunnable = checks.findIndex((_, i) => !probes[i]!.ok);
  if (unrunnable >= 0) {
    const probe = probes[unrunnable]!;
    const reason = `${noun} ${JSON.stringify(checks[unrunnable]!.name)} cannot run: ${probe.ok ? '' : probe.reason}`;
    log.warn({ check: checks[unrunnable]!.name, reason }, `${noun} failed`);
    return { passed: false, check: checks[unrunnable]!.name, reason, results: report() };
  }

  const stop = new AbortController();
  const signal = AbortSignal.any([context.cancellationSignal, stop.signal]);
  let failed: { check: HealthCheck; reason: string } | undefined;
  // What each check's last failed answer named (a body, the series out of bounds): for the failure's reason only.
  const details = new Map<string, string>();
  const heartbeat = () => context.heartbeat({ checks: Object.fromEntries(progress) } satisfies HealthHeartbeat);

  await Promise.all(
    checks.map(async (check, index) => {
      const probe = probes[index]!;
      if (!probe.ok) return;
      for (;;) {
        const current = progress.get(check.name)!;
        const at = nextObservationAt(current, check);
        if (at === undefined || signal.aborted) return;
        try {
          if (at > Date.now()) await delay(at - Date.now(), undefined, { signal });
          const sentAt = Date.now();
          const judgement = await observeOnce(probe, signal, secrets);
          if (judgement.ok || judgement.detail === undefined) details.delete(check.name);
          else details.set(check.name, judgement.detail);
          const next = observe(current, check, { at: sentAt, ok: judgement.ok, value: judgement.value });
          // A malformed query fails at once: no wait would make it pass.
          progress.set(check.name, judgement.fatal ? { ...next, verdict: 'failed' } : next);
        } catch (error) {
          if (signal.aborted) return; // Another check failed, or the activity was cancelled.
          throw error;
        }
        const now = progress.get(check.name)!;
        log.debug({ check: check.name, verdict: now.verdict, value: now.last?.value }, `${noun} observed`);
        heartbeat();
        if (now.verdict === 'passed')
          log.info({ check: check.name, observations: now.observations, value: now.last?.value }, `${noun} passed`);
        if (now.verdict === 'failed') {
          failed ??= { check, reason: failureReason(check, now, noun, details.get(check.name)) };
          stop.abort();
          return;
        }
      }
    }),
  );

  // Cancellation reached us through the signal: end as cancelled, which is what Temporal expects.
  if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
  if (failed) {
    log.warn({ check: failed.check.name, reason: failed.reason }, `${noun} failed`);
    return { passed: false, check: failed.check.name, reason: failed.reason, results: report() };
  }
  const results = report();
  // Every check ended passed, unless something above is wrong: never report a pass that was not seen.
  const unfinished = results.find((r) => r.verdict !== 'passed');
  if (unfinished)
    return {
      passed: false,
      check: unfinished.name,
      reason: `${noun} ${JSON.stringify(unfinished.name)} did not finish`,
      results,
    };
  return { passed: true, results };
}

/** A check's progress from the last attempt's heartbeat, its streak dropped (health-progress.ts). */
function resumed(details: unknown, name: string): CheckProgress | undefined {
  const checks = (details as Partial<HealthHeartbeat> | undefined)?.checks;
  const progress = checks && typeof checks === 'object' ? checks[name] : undefined;
  return isCheckProgress(progress) ? resumeCheck(progress) : undefined;
}

const reportOf = (name: string, progress: CheckProgress): HealthCheckReport => ({
  name,
  verdict: progress.verdict,
  observations: progress.observations,
  ...(progress.last ? { last: progress.last.value } : {}),
});

/**
 * `health check "api" did not pass within 10m (it must pass for 1m): last value 0 (below min 1)`,
 * then what the last answer named (`; the body said: …`, `; 2 of 5 series out of bounds: …`).
 */
function failureReason(check: HealthCheck, progress: CheckProgress, noun: string, detail?: string): string {
  const last = progress.last?.value ?? 'none';
  const late =
    isOver(progress) && progress.last !== undefined && progress.last.at - progress.startedAt >= check.timeoutMs;
  const why = late
    ? `did not pass within ${formatDuration(check.timeoutMs)} (it must pass for ${formatDuration(check.passForMs)})`
    : 'cannot pass';
  const head = clip(`${noun} ${JSON.stringify(check.name)} ${why}: last value ${last}`, 300);
  return detail ? clip(`${head}; ${detail}`, 300 + MAX_DETAIL_LENGTH) : head;
}
