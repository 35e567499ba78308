/**
 * Health checks after a cluster's upgrade (**contract**, see docs/spec.md "Health
 * checks"): what a normalised check is, the template variables its URL and query may
 * use, and the helpers the workflows call. Pure and free of zod and Node APIs, because
 * the cluster's child workflow imports it (the schema is spec-health.ts; the verdict
 * over time is health-progress.ts; reading a response is health-judge.ts).
 */

/** A header whose value the worker reads from its own environment: the spec names the variable, never the secret. */
export interface HeaderFromEnv {
  /** A worker environment variable, `FLEET_HEALTH_*` (HEALTH_ENV_PREFIX). */
  readonly fromEnv: string;
  /** Written before the variable's value, e.g. `"Bearer "`; not secret (it is in the spec). */
  readonly prefix?: string;
}

export type HealthHeaders = Readonly<Record<string, HeaderFromEnv>>;

export type JsonScalar = string | number | boolean | null;

/** `GET url`: passes when the status is `status` and, when given, the JSON body's `field` equals `equals`. */
export interface HttpProbe {
  readonly url: string;
  readonly status: number;
  /** `field` is a dotted path into the body (`checks.0.status`). */
  readonly json?: { readonly field: string; readonly equals: JsonScalar };
  readonly headers?: HealthHeaders;
}

/** An instant query against a Prometheus HTTP API (`url` is the server's base); every series must lie in [min, max]. */
export interface PrometheusProbe {
  readonly url: string;
  readonly query: string;
  readonly min?: number;
  readonly max?: number;
  readonly headers?: HealthHeaders;
}

export interface CheckTiming {
  /** How long the check must keep passing, without a failed observation in between. */
  readonly passForMs: number;
  /** Time between observations. */
  readonly intervalMs: number;
  /** How long the check may take to start passing, from its first observation. */
  readonly timeoutMs: number;
}

export type HealthCheck = CheckTiming & { readonly name: string } & (
    | { readonly http: HttpProbe; readonly prometheus?: never }
    | { readonly prometheus: PrometheusProbe; readonly http?: never }
  );

/** Defaults of a check's timing, as a spec writes them (docs/spec.md). */
export const HEALTH_CHECK_DEFAULTS = { passFor: '1m', interval: '10s', timeout: '10m', status: 200 } as const;

/**
 * The only variables a health check's header may read. A spec is written by whoever
 * may start a rollout, and a check's URL is theirs to choose: without a prefix, a spec
 * could send the worker's platform or Temporal credentials to any host.
 */
export const HEALTH_ENV_PREFIX = 'FLEET_HEALTH_';
export const HEALTH_ENV_NAME = /^FLEET_HEALTH_[A-Z0-9_]+$/;

/** What a cluster's checks may say about it: `{clusterId}` in a URL or query becomes the cluster's id. */
export const CLUSTER_TEMPLATE_VARIABLES = [
  'clusterId',
  'clusterName',
  'environment',
  'region',
  'platform',
  'endpoint',
] as const;
/** Reserved for wave gates (analysis per wave); a cluster's check may not use them. */
export const WAVE_TEMPLATE_VARIABLES = ['wave', 'waveClusters'] as const;

export type ClusterTemplateVariable = (typeof CLUSTER_TEMPLATE_VARIABLES)[number];

/**
 * A cluster's facts, keyed by template variable. `environment`, `region` and `endpoint`
 * are absent where the platform has no such field; a check that needs one then fails
 * for that cluster, naming it (never a guess).
 */
export type ClusterFacts = {
  readonly clusterId: string;
  readonly clusterName: string;
  readonly platform: string;
} & Partial<Record<'environment' | 'region' | 'endpoint', string>>;

/** The facts of a cluster as a platform client read it (ClusterSnapshot is structurally one). */
export function healthFactsOf(
  cluster: {
    readonly id: string;
    readonly name: string;
    readonly environment?: string;
    readonly region?: string;
    readonly endpoint?: string;
  },
  platform: string,
): ClusterFacts {
  return {
    clusterId: cluster.id,
    clusterName: cluster.name,
    platform,
    ...(cluster.environment ? { environment: cluster.environment } : {}),
    ...(cluster.region ? { region: cluster.region } : {}),
    ...(cluster.endpoint ? { endpoint: cluster.endpoint } : {}),
  };
}

/** `{name}` with a plain identifier inside: PromQL's own braces (`up{job="x"}`) never match. */
const TEMPLATE = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The template variables a text uses, in order, each once. */
export function templateVariables(text: string): string[] {
  return [...new Set([...text.matchAll(TEMPLATE)].map((m) => m[1]!))];
}

/** Values by template variable: a cluster's facts, or a wave gate's (`{wave}`, `{waveClusters}`, gate.ts). */
export type TemplateFacts = Readonly<Partial<Record<string, string>>>;

export type Expansion = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly missing: string };

/**
 * The text with every variable replaced by `encode(value, variable)`, or the first
 * variable the cluster has no value for. Unknown variables were refused with the spec.
 */
export function expandTemplate(
  text: string,
  facts: TemplateFacts,
  encode: (value: string, variable: string) => string,
): Expansion {
  let missing: string | undefined;
  const expanded = text.replace(TEMPLATE, (whole, variable: string) => {
    const value = facts[variable];
    if (value === undefined || value === '') {
      missing ??= variable;
      return whole;
    }
    return encode(value, variable);
  });
  return missing === undefined ? { ok: true, text: expanded } : { ok: false, missing };
}

/** In a URL each value is percent-encoded, except `{endpoint}`, which is a URL itself (`{endpoint}/healthz`). */
export const encodeForUrl = (value: string, variable: string): string =>
  variable === 'endpoint' ? value : encodeURIComponent(value);

/** In a query, values go inside PromQL double quotes (`{cluster_id="{clusterId}"}`): escaped for them. */
export const encodeForPromql = (value: string): string =>
  value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** A cluster's checks: the rollout's, then its wave's own. */
export function healthChecksFor(
  plan: { readonly healthChecks?: readonly HealthCheck[] },
  wave?: { readonly healthChecks?: readonly HealthCheck[] },
): HealthCheck[] {
  return [...(plan.healthChecks ?? []), ...(wave?.healthChecks ?? [])];
}

/** The parts of a plan that hold checks (RolloutPlan is one); pre-upgrade checks are health checks too. */
type Checks = { readonly healthChecks?: readonly HealthCheck[]; readonly preChecks?: readonly HealthCheck[] };
type PlanChecks = Checks & { readonly waves: readonly (Checks & { readonly gate?: HealthCheck })[] };
const listsOf = (at: Checks): HealthCheck[] => [...(at.healthChecks ?? []), ...(at.preChecks ?? [])];

const headersOf = (check: HealthCheck): HealthHeaders =>
  (check.http ? check.http.headers : check.prometheus.headers) ?? {};

/** Every worker variable the plan's checks read, sorted, each once: what planning asks `checkHealthConfig` about. */
export function headerVariablesOf(plan: PlanChecks): string[] {
  const checks = [...listsOf(plan), ...plan.waves.flatMap((w) => [...listsOf(w), ...(w.gate ? [w.gate] : [])])];
  return [...new Set(checks.flatMap((c) => Object.values(headersOf(c)).map((h) => h.fromEnv)))].sort();
}

/**
 * What planning reports when `checkHealthConfig` found variables missing on the worker:
 * one problem per header that reads one, named by its field as the parser names fields
 * (`waves[0].healthChecks[1].http.headers.Authorization.fromEnv`), for the rollout's
 * InvalidSpec failure. Names variables, never values.
 */
export function missingVariableProblems(
  plan: PlanChecks,
  missing: readonly string[],
): { readonly field: string; readonly message: string }[] {
  const lists = (['healthChecks', 'preChecks'] as const).flatMap((list): [string, readonly HealthCheck[]][] => [
    [list, plan[list] ?? []],
    ...plan.waves.map((w, i): [string, readonly HealthCheck[]] => [`waves[${i}].${list}`, w[list] ?? []]),
  ]);
  const gates = plan.waves.flatMap((w, i): [string, HealthCheck][] => (w.gate ? [[`waves[${i}].gate`, w.gate]] : []));
  const located = [
    ...lists.flatMap(([field, checks]) =>
      checks.map((check, index): [string, HealthCheck] => [`${field}[${index}]`, check]),
    ),
    ...gates,
  ];
  return located.flatMap(([at, check]) => {
    const kind = check.http ? 'http' : 'prometheus';
    return Object.entries(headersOf(check))
      .filter(([, header]) => missing.includes(header.fromEnv))
      .map(([name, header]) => ({
        field: `${at}.${kind}.headers.${name}.fromEnv`,
        message: `${header.fromEnv} is not set on the worker (set it on every worker of the task queue)`,
      }));
  });
}

/** How long one request of a check may take: its interval, within 2 to 10 seconds. */
export const probeTimeoutMs = (check: CheckTiming): number => Math.min(10_000, Math.max(2_000, check.intervalMs));

/**
 * Timeouts for the `runHealthChecks` activity over `checks`: an attempt ends by the
 * slowest check's `timeout + passFor` (plus a last request and a minute of slack), and
 * heartbeats at least once per interval and request.
 */
export function healthCheckTimeouts(checks: readonly CheckTiming[]): {
  readonly startToCloseMs: number;
  readonly heartbeatMs: number;
} {
  const longest = Math.max(0, ...checks.map((c) => c.timeoutMs + c.passForMs + c.intervalMs + probeTimeoutMs(c)));
  const quietest = Math.max(0, ...checks.map((c) => c.intervalMs + probeTimeoutMs(c)));
  return { startToCloseMs: longest + 60_000, heartbeatMs: quietest + 30_000 };
}
