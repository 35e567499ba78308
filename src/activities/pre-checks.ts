/**
 * `runPreChecks`: a cluster's pre-upgrade checks (domain/pre-check.ts, docs/spec.md
 * "Pre-upgrade checks"), before its child asks for the upgrade. Reads the cluster once
 * (its facts and the version it runs now: `{currentVersion}`), then evaluates each check
 * in order, stopping at the first that does not pass. One evaluation decides; only a
 * transient error (no answer, HTTP 408, 429, 5xx) is asked again every `interval`, within
 * `timeout`. A check that does not pass is data (`passed: false`, its reason and last
 * value), not an error; a failed read of the cluster is, and the activity's retries take it.
 *
 * Secrets as for health checks: header values by name from the worker's environment, and
 * every value reported is redacted of them (health-probe.ts).
 */
import { Context } from '@temporalio/activity';
import { setTimeout as delay } from 'node:timers/promises';
import { formatDuration } from '../domain/durations.js';
import { healthFactsOf, type TemplateFacts } from '../domain/health.js';
import { clip, MAX_DETAIL_LENGTH } from '../domain/health-judge.js';
import { targetFactsOf, type PreCheck, type PreCheckResult } from '../domain/pre-check.js';
import type { Logger } from '../logger.js';
import type { ActivityDeps } from './deps.js';
import { withPlatformFailures } from './failures.js';
import type { HealthActivityOptions } from './health.js';
import { observeOnce, prepareProbe, type Secrets } from './health-probe.js';
import type { ClusterCall } from './upgrade.js';

export interface RunPreChecksInput extends ClusterCall {
  /** The cluster's pre-checks: `preChecksFor(plan, wave)` (domain/pre-check.ts). */
  readonly checks: readonly PreCheck[];
  /** The version the child will ask for, as requests spell it: `{targetVersion}`, `{targetMinor}`. */
  readonly requestVersion: string;
}

export function createPreCheckActivities(deps: ActivityDeps, options: HealthActivityOptions = {}) {
  async function runPreChecks(input: RunPreChecksInput): Promise<PreCheckResult> {
    const log = deps.logger.child({ platform: input.platform });
    const cluster = await withPlatformFailures(() =>
      deps.clientFor(input.platform).getCluster(input.organisation, input.clusterId),
    );
    const facts = {
      ...healthFactsOf(cluster, input.platform),
      ...targetFactsOf(input.requestVersion, cluster.version),
    };
    for (const check of input.checks) {
      const failed = await evaluate(check, facts, log, options.env ?? process.env);
      if (failed) return failed;
    }
    return { passed: true, checks: input.checks.length };
  }
  return { runPreChecks };
}

/** One check to its verdict: undefined when it passed, else why it did not. */
async function evaluate(
  check: PreCheck,
  facts: TemplateFacts,
  log: Logger,
  env: NodeJS.ProcessEnv,
): Promise<PreCheckResult | undefined> {
  const context = Context.current();
  const secrets: Secrets = new Set();
  const name = JSON.stringify(check.name);
  const failed = (reason: string, last?: string): PreCheckResult => {
    log.warn({ check: check.name, reason }, 'pre-check did not pass');
    return { passed: false, check: check.name, onFail: check.onFail, reason, ...(last ? { last } : {}) };
  };
  const probe = prepareProbe(check, facts, env, secrets);
  if (!probe.ok) return failed(`pre-check ${name} cannot run: ${probe.reason}`);
  const started = Date.now();
  for (;;) {
    const judgement = await observeOnce(probe, context.cancellationSignal, secrets);
    context.heartbeat({ check: check.name, last: judgement.value });
    if (judgement.ok) {
      log.info({ check: check.name, value: judgement.value }, 'pre-check passed');
      return undefined;
    }
    const late = Date.now() + check.intervalMs - started > check.timeoutMs;
    if (!judgement.transient || late) {
      const why = judgement.transient
        ? `had no usable answer within ${formatDuration(check.timeoutMs)}`
        : 'did not pass';
      const head = clip(`pre-check ${name} ${why}: last value ${judgement.value}`, 300);
      return failed(
        judgement.detail ? clip(`${head}; ${judgement.detail}`, 300 + MAX_DETAIL_LENGTH) : head,
        judgement.value,
      );
    }
    await delay(check.intervalMs, undefined, { signal: context.cancellationSignal });
  }
}
