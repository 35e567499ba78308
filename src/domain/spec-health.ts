/**
 * The spec's `healthChecks` (**contract**, see docs/spec.md "Health checks"), at the
 * rollout's level and a wave's: how a spec writes a check and what is refused before
 * anything starts. What a check is and how it runs live in health.ts (pure, zod-free,
 * for the workflows) and health-progress.ts.
 *
 * Refused here: a check that is neither or both of `http` and `prometheus`, a Prometheus
 * check with no bound, an unknown template variable (and the wave gates' own), a URL
 * that is not http(s) or carries a password, a header written inline (it would land in
 * the workflow's history; the message never echoes it), a header variable outside
 * `FLEET_HEALTH_*`, and two checks of one cluster with the same name.
 */
import { z } from 'zod';
import { parseDuration } from './durations.js';
import { GATE_TEMPLATE_VARIABLES } from './gate.js';
import {
  CLUSTER_TEMPLATE_VARIABLES,
  HEALTH_CHECK_DEFAULTS,
  HEALTH_ENV_NAME,
  HEALTH_ENV_PREFIX,
  templateVariables,
  WAVE_TEMPLATE_VARIABLES,
  type HealthCheck,
} from './health.js';
import { PRE_CHECK_TEMPLATE_VARIABLES, TARGET_TEMPLATE_VARIABLES } from './pre-check.js';
import { describeValue, quote, type SpecProblem } from './spec-messages.js';
import { didYouMean } from './suggest.js';

/** Checks one list (the rollout's, or a wave's) may hold, and headers one check may send. */
const MAX_CHECKS = 20;
const MAX_HEADERS = 10;

const HOUR = 3_600_000;

/** A duration between `min` and `max` milliseconds, `fallback` when absent; worded as spec.ts words durations. */
const boundedDuration = (fallback: string, min: number, max: number, range: string) =>
  z
    .union([z.string(), z.number()], {
      error: (issue) => `must be a duration such as "30s" or "5m", got ${describeValue(issue.input)}`,
    })
    .default(fallback)
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms === undefined)
        ctx.addIssue({ code: 'custom', message: `not a duration: ${quote(value)} (use e.g. "10s", "5m")` });
      else if (ms < min || ms > max) ctx.addIssue({ code: 'custom', message: `must be ${range}, got ${quote(value)}` });
      return ms ?? z.NEVER;
    });

/** Whose facts a template may use: a cluster's (health checks), a wave's (its gate), a cluster's and its target's. */
export type TemplateScope = 'cluster' | 'gate' | 'preCheck';

const VARIABLES: Record<TemplateScope, readonly string[]> = {
  cluster: CLUSTER_TEMPLATE_VARIABLES,
  gate: GATE_TEMPLATE_VARIABLES,
  preCheck: PRE_CHECK_TEMPLATE_VARIABLES,
};
const listed = (scope: TemplateScope) => VARIABLES[scope].map((v) => `{${v}}`).join(', ');

/** Problems with a text's template variables: unknown ones, and the other scope's. */
function templateProblems(text: string, scope: TemplateScope): string[] {
  return templateVariables(text).flatMap((variable) => {
    if (VARIABLES[scope].includes(variable)) return [];
    if ((TARGET_TEMPLATE_VARIABLES as readonly string[]).includes(variable))
      return [`{${variable}} is for pre-upgrade checks (preChecks) only; known here: ${listed(scope)}`];
    if (scope === 'cluster' && (WAVE_TEMPLATE_VARIABLES as readonly string[]).includes(variable))
      return [`{${variable}} is for wave gates, not a cluster's health check`];
    if (scope === 'gate' && (CLUSTER_TEMPLATE_VARIABLES as readonly string[]).includes(variable))
      return [`{${variable}} is a cluster's; a wave gate knows ${listed('gate')}`];
    const guess = didYouMean(variable, VARIABLES[scope], (name) => `{${name}}`);
    return [`unknown template variable {${variable}} (${guess ? `${guess} ` : ''}known: ${listed(scope)})`];
  });
}

/** A URL template: known variables, and http(s) once expanded (`{endpoint}` stands for a URL). */
const urlTemplate = (scope: TemplateScope) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(2_000)
    .superRefine((text, ctx) => {
      const problems = templateProblems(text, scope);
      for (const message of problems) ctx.addIssue({ code: 'custom', message });
      if (problems.length > 0) return;
      let url: URL | undefined;
      try {
        url = new URL(text.replace(/\{endpoint\}/g, 'https://endpoint.invalid').replace(/\{[A-Za-z]+\}/g, 'x'));
      } catch {
        // Reported below.
      }
      if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
        ctx.addIssue({ code: 'custom', message: `must be an http or https URL, got ${quote(text)}` });
      // Never echoed: what sits there may be a password.
      else if (url.username || url.password)
        ctx.addIssue({
          code: 'custom',
          message: "must not carry a user or password: send credentials in a header from the worker's environment",
        });
    });

const headerSchema = z
  .object(
    {
      fromEnv: z.string().regex(HEALTH_ENV_NAME, {
        error: (issue) =>
          `must name a worker environment variable ${HEALTH_ENV_PREFIX}*, got ${quote(issue.input)} (checks read only these, so a spec cannot send the worker's other credentials elsewhere)`,
      }),
      prefix: z
        .string()
        .max(64)
        .regex(/^[^\r\n]*$/, 'must be one line')
        .optional(),
    },
    // Never echoes the value: a header written inline is likely the secret itself.
    {
      error: (issue) =>
        issue.code === 'invalid_type'
          ? `must be {"fromEnv": "${HEALTH_ENV_PREFIX}…"}: a header's value comes from the worker's environment, never the spec (it would land in the workflow's history)`
          : undefined,
    },
  )
  .strict();

const headersSchema = z.record(z.string(), headerSchema).optional();

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: (issue) =>
    issue.input === undefined
      ? 'missing (required)'
      : `must be a string, number, true, false or null, got ${describeValue(issue.input)}`,
});

const httpSchemaFor = (scope: TemplateScope) =>
  z
    .object({
      url: urlTemplate(scope),
      status: z.number().int().min(100).max(599).default(HEALTH_CHECK_DEFAULTS.status),
      json: z
        .object({
          field: z.string().regex(/^[^.]+(\.[^.]+)*$/, 'must be a dotted path such as "status" or "checks.0.status"'),
          equals: scalar,
        })
        .strict()
        .optional(),
      headers: headersSchema,
    })
    .strict();

/** `-0 + 0` is 0: a bound reads the same after a trip through JSON (a Temporal payload). */
const bound = z.number().transform((n) => n + 0);

const prometheusSchemaFor = (scope: TemplateScope) =>
  z
    .object({
      /** The Prometheus server's base URL (`/api/v1/query` is added). */
      url: urlTemplate(scope),
      query: z
        .string()
        .min(1, 'must not be empty')
        .max(4_000)
        .superRefine((text, ctx) =>
          templateProblems(text, scope).forEach((message) => ctx.addIssue({ code: 'custom', message })),
        ),
      min: bound.optional(),
      max: bound.optional(),
      headers: headersSchema,
    })
    .strict();

const httpSchema = httpSchemaFor('cluster');
const prometheusSchema = prometheusSchemaFor('cluster');

/** A check's fields: its name, probe and timing (a gate adds `onFail`, spec-gate.ts). */
export const checkFields = (scope: TemplateScope) => ({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be 1-63 letters, digits, ".", "_" or "-"'),
  http: httpSchemaFor(scope).optional(),
  prometheus: prometheusSchemaFor(scope).optional(),
  passFor: boundedDuration(HEALTH_CHECK_DEFAULTS.passFor, 0, 24 * HOUR, 'at most 24h'),
  interval: boundedDuration(HEALTH_CHECK_DEFAULTS.interval, 100, HOUR, 'between 100ms and 1h'),
  timeout: boundedDuration(HEALTH_CHECK_DEFAULTS.timeout, 0, 7 * 24 * HOUR, 'at most 7d'),
});

const checkSchema = z.object(checkFields('cluster')).strict();

export const healthChecksSchema = z
  .array(checkSchema)
  .min(1, 'must list at least one check (omit it for none)')
  .max(MAX_CHECKS, {
    error: (issue) =>
      `lists ${Array.isArray(issue.input) ? issue.input.length : 'too many'} checks; at most ${MAX_CHECKS} allowed`,
  });

/** The checks of a valid spec (or wave), as health.ts and the workflows read them. */
export const healthChecksOf = (checks: z.output<typeof healthChecksSchema>): HealthCheck[] => checks.map(healthCheckOf);

/** One valid check (or gate) as health.ts reads it. */
export function healthCheckOf({
  name,
  http,
  prometheus,
  passFor,
  interval,
  timeout,
}: z.output<typeof checkSchema>): HealthCheck {
  const timing = { passForMs: passFor, intervalMs: interval, timeoutMs: timeout };
  return http ? { name, http, ...timing } : { name, prometheus: prometheus!, ...timing };
}

/** Fields of a check's parts (`http`, `prometheus`, `json`, a header), for "did you mean"; undefined for others. */
export function probeKnownFields(path: readonly PropertyKey[]): readonly string[] | undefined {
  const last = path.at(-1);
  if (last === 'http') return Object.keys(httpSchema.shape);
  if (last === 'prometheus') return Object.keys(prometheusSchema.shape);
  if (last === 'json') return ['field', 'equals'];
  if (path.at(-2) === 'headers') return Object.keys(headerSchema.shape);
  return undefined;
}

/** Fields of the objects under `healthChecks`, for "did you mean" on an unknown one; undefined elsewhere. */
export function healthKnownFields(path: readonly PropertyKey[]): readonly string[] | undefined {
  const last = path.at(-1);
  if (!path.includes('healthChecks')) return undefined;
  if (typeof last === 'number' && path.at(-2) === 'healthChecks') return Object.keys(checkSchema.shape);
  return probeKnownFields(path);
}

type CheckList = 'healthChecks' | 'preChecks';

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;

/**
 * Rules across a check's fields and across checks, on the raw spec: one of `http` and
 * `prometheus`, a bound on every query, header names, and unique names among a cluster's
 * checks (the rollout's and its wave's together, so a failure names one check). `list`: or the `preChecks`.
 */
export function healthCheckProblems(spec: Record<string, unknown>, list: CheckList = 'healthChecks'): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const rollout = listProblems(spec[list], list, new Map(), problems);
  const waves = Array.isArray(spec.waves) ? spec.waves : [];
  waves.forEach((wave: unknown, index) => {
    if (wave && typeof wave === 'object')
      listProblems((wave as Record<string, unknown>)[list], `waves[${index}].${list}`, rollout, problems);
  });
  return problems;
}

/** One list's problems; returns its names (by field) for the lists that add to it. */
function listProblems(
  list: unknown,
  field: string,
  inherited: ReadonlyMap<string, string>,
  problems: SpecProblem[],
): Map<string, string> {
  const names = new Map(inherited);
  if (!Array.isArray(list)) return names;
  list.forEach((raw: unknown, index) => {
    if (!raw || typeof raw !== 'object') return;
    const check = raw as Record<string, unknown>;
    const at = `${field}[${index}]`;
    if (typeof check.name === 'string') {
      const earlier = names.get(check.name);
      if (earlier)
        problems.push({ field: `${at}.name`, message: `check ${quote(check.name)} is named twice (also ${earlier})` });
      else names.set(check.name, at);
    }
    probeProblems(check, at, problems);
  });
  return names;
}

/** One check's (or gate's) rules across its fields: one of http and prometheus, a bound on a query, header names. */
export function probeProblems(check: Record<string, unknown>, at: string, problems: SpecProblem[]): void {
  if ((check.http === undefined) === (check.prometheus === undefined))
    problems.push({ field: at, message: 'set http or prometheus (one of them)' });
  const prometheus = check.prometheus as Record<string, unknown> | undefined;
  if (prometheus && typeof prometheus === 'object') {
    const { min, max } = prometheus;
    if (min === undefined && max === undefined)
      problems.push({
        field: `${at}.prometheus`,
        message: 'needs min, max or both: a query with no bound would pass whatever it gives',
      });
    if (typeof min === 'number' && typeof max === 'number' && min > max)
      problems.push({ field: `${at}.prometheus.max`, message: `must be at least min (${min}), got ${max}` });
  }
  for (const kind of ['http', 'prometheus'] as const) {
    const headers = (check[kind] as Record<string, unknown> | undefined)?.headers;
    if (!headers || typeof headers !== 'object' || Array.isArray(headers)) continue;
    const entries = Object.keys(headers);
    if (entries.length > MAX_HEADERS)
      problems.push({
        field: `${at}.${kind}.headers`,
        message: `lists ${entries.length} headers; at most ${MAX_HEADERS} allowed`,
      });
    for (const name of entries)
      if (!HEADER_NAME.test(name))
        problems.push({ field: `${at}.${kind}.headers`, message: `not an HTTP header name: ${quote(name)}` });
  }
}
