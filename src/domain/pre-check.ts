/**
 * Pre-upgrade checks (**contract**, see docs/spec.md "Pre-upgrade checks"): the spec's
 * `preChecks`, run by a cluster's child before it asks for the upgrade. A check is a
 * health check's probe (`http` or `prometheus`, health.ts) with the target's template
 * variables besides the cluster's, and `onFail`.
 *
 * What a pass is: a gate before a change, so ONE evaluation that must pass (no `passFor`).
 * A definite answer decides at once: in bounds (or the status and JSON expected) passes,
 * anything else fails. Only a transient error (no answer, a timeout, HTTP 408, 429 or
 * 5xx) is observed again, every `interval`, until `timeout` from the first observation.
 *
 * What a failure does: `onFail: "block"` (the default) ends the cluster BLOCKED, never
 * asked for its upgrade, not counted against the failure budget; `"fail"` ends it FAILED,
 * counted. Either way the cluster's line carries the check's reason and its last value,
 * and `retryCluster` runs its checks again. Pure and zod-free: the child imports it.
 */
import type { ClusterOutcome } from './report.js';
import { CLUSTER_TEMPLATE_VARIABLES, type HealthCheck, type TemplateFacts } from './health.js';
import { formatVersion, minorOf, parseVersion } from './versions.js';

/** What a pre-check may say about the upgrade, besides the cluster's variables. */
export const TARGET_TEMPLATE_VARIABLES = ['targetVersion', 'targetMinor', 'currentVersion', 'currentMinor'] as const;

export const PRE_CHECK_TEMPLATE_VARIABLES = [...CLUSTER_TEMPLATE_VARIABLES, ...TARGET_TEMPLATE_VARIABLES] as const;

export const PRE_CHECK_ON_FAIL = ['block', 'fail'] as const;
export type PreCheckOnFail = (typeof PRE_CHECK_ON_FAIL)[number];

/** A pre-check as the workflows read it: a health check with `passForMs` 0 (one passing observation), and `onFail`. */
export type PreCheck = HealthCheck & { readonly onFail: PreCheckOnFail };

/** A cluster's pre-checks: the rollout's, then its wave's own. */
export function preChecksFor(
  plan: { readonly preChecks?: readonly PreCheck[] },
  wave?: { readonly preChecks?: readonly PreCheck[] },
): PreCheck[] {
  return [...(plan.preChecks ?? []), ...(wave?.preChecks ?? [])];
}

/**
 * The target's template values: `{targetVersion}` as the plain version (`1.31.6`, or `1.31`
 * where the request names a minor), `{targetMinor}` `1.31`; the current ones from what the
 * cluster runs (`1.30.4`, `1.30`). A version that does not parse is left out (a check that
 * uses it cannot run, and says so).
 */
export function targetFactsOf(requestVersion: string, currentVersion: string): TemplateFacts {
  const target = parseVersion(requestVersion);
  const current = parseVersion(currentVersion);
  return {
    ...(target ? { targetVersion: formatVersion(target), targetMinor: minorOf(target) } : {}),
    ...(current ? { currentVersion: formatVersion(current), currentMinor: minorOf(current) } : {}),
  };
}

/** An HTTP status worth asking again: the server is busy or broken now, not the answer. */
export const isTransientStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/** What `runPreChecks` answers: every check passed, or the first that did not, with why and its last value. */
export type PreCheckResult =
  | { readonly passed: true; readonly checks: number }
  | {
      readonly passed: false;
      readonly check: string;
      readonly onFail: PreCheckOnFail;
      /** `pre-check "deprecated-apis" did not pass: last value 1 (above max 0)`. */
      readonly reason: string;
      readonly last?: string;
    };

/** The child's decision: undefined to go on and ask for the upgrade, else the outcome and the line's message. */
export function preCheckDecision(
  result: PreCheckResult,
): { readonly outcome: Extract<ClusterOutcome, 'BLOCKED' | 'FAILED'>; readonly message: string } | undefined {
  if (result.passed) return undefined;
  if (result.onFail === 'fail') return { outcome: 'FAILED', message: `${result.reason}; not upgraded` };
  return { outcome: 'BLOCKED', message: `${result.reason}; not upgraded (retryCluster runs its checks again)` };
}
