/**
 * One observation of one health check: expand the check's templates with the cluster's
 * facts, send one GET with the headers read from the worker's environment, and judge
 * the answer (domain/health-judge.ts).
 *
 * Secrets: a header's value is read here, by variable name, and goes only into the
 * request. Everything that leaves (the observed value, and through it results,
 * heartbeats and logs) passes `redact`, which removes every header value this run read,
 * in case an endpoint echoes a header back in its body or an error names one. got's own
 * error objects never leave: they carry the request options, headers included.
 */
import { got, RequestError, TimeoutError } from 'got';
import {
  encodeForPromql,
  encodeForUrl,
  expandTemplate,
  HEALTH_ENV_NAME,
  probeTimeoutMs,
  type HealthCheck,
  type HealthHeaders,
  type TemplateFacts,
} from '../domain/health.js';
import { isTransientStatus } from '../domain/pre-check.js';
import { clip, judgeHttp, judgePrometheus, MAX_DETAIL_LENGTH, type Judgement } from '../domain/health-judge.js';

/** A check made ready for one cluster: the request to send, or why it cannot run at all. */
export type PreparedProbe =
  | {
      readonly ok: true;
      readonly url: string;
      readonly headers: Readonly<Record<string, string>>;
      readonly judge: (status: number, body: string) => Judgement;
      readonly timeoutMs: number;
    }
  | { readonly ok: false; readonly reason: string };

/** Header values this run read from the environment: what `redact` removes. */
export type Secrets = Set<string>;

/** The request of `check` for a cluster with `facts`, its header values added to `secrets`. */
export function prepareProbe(
  check: HealthCheck,
  facts: TemplateFacts,
  env: NodeJS.ProcessEnv,
  secrets: Secrets,
): PreparedProbe {
  const probe = check.http ?? check.prometheus;
  const url = expandTemplate(probe.url, facts, encodeForUrl);
  if (!url.ok) return { ok: false, reason: `its url needs {${url.missing}}, which this cluster does not have` };
  const headers = readHeaders(probe.headers, env, secrets);
  if (typeof headers === 'string') return { ok: false, reason: headers };
  const timeoutMs = probeTimeoutMs(check);
  if (check.http) {
    const http = check.http;
    return {
      ok: true,
      url: url.text,
      headers: { accept: 'application/json, */*;q=0.5', ...headers },
      judge: (status, body) => judgeHttp(http, status, body),
      timeoutMs,
    };
  }
  const prometheus = check.prometheus;
  const query = expandTemplate(prometheus.query, facts, encodeForPromql);
  if (!query.ok) return { ok: false, reason: `its query needs {${query.missing}}, which this cluster does not have` };
  // The server's base URL, as Prometheus, Thanos and Mimir (with its /prometheus prefix) all serve the API under it.
  const endpoint = new URL(`${url.text.replace(/\/+$/, '')}/api/v1/query`);
  endpoint.searchParams.set('query', query.text);
  return {
    ok: true,
    url: endpoint.toString(),
    headers: { accept: 'application/json', ...headers },
    judge: (status, body) => judgePrometheus(prometheus, status, body),
    timeoutMs,
  };
}

/** The headers' values from the environment, or the reason one cannot be read (naming the variable, never a value). */
function readHeaders(
  headers: HealthHeaders | undefined,
  env: NodeJS.ProcessEnv,
  secrets: Secrets,
): Record<string, string> | string {
  const read: Record<string, string> = {};
  for (const [name, { fromEnv, prefix }] of Object.entries(headers ?? {})) {
    // The spec was held to FLEET_HEALTH_*; checked again so no other caller can read another variable.
    const value = HEALTH_ENV_NAME.test(fromEnv) ? env[fromEnv] : undefined;
    if (!value) return `header ${name} reads ${fromEnv}, which is not set on this worker`;
    secrets.add(value);
    read[name] = `${prefix ?? ''}${value}`;
  }
  return read;
}

/** `text` without any secret this run read: as is, percent-encoded, or escaped inside a JSON string. */
export function redact(text: string, secrets: Secrets): string {
  let clean = text;
  for (const secret of secrets) {
    for (const form of new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]))
      clean = clean.split(form).join('[redacted]');
  }
  return clean;
}

/**
 * Sends the prepared request once and judges the answer. Never throws for what the
 * endpoint does: no answer, a timeout or an unexpected status is a failed observation
 * with a short value. Throws only when `signal` aborts (the caller stops observing).
 */
export async function observeOnce(
  probe: Extract<PreparedProbe, { ok: true }>,
  signal: AbortSignal,
  secrets: Secrets,
): Promise<Judgement> {
  let judgement: Judgement;
  try {
    const response = await got(probe.url, {
      method: 'GET',
      headers: { 'user-agent': 'fleetwave-health-check', ...probe.headers },
      timeout: { request: probe.timeoutMs },
      retry: { limit: 0 },
      // A redirect to another host would carry the credentials there; a 3xx is an answer like any other.
      followRedirect: false,
      throwHttpErrors: false,
      responseType: 'text',
      signal,
    });
    // Redacted before it is read: a value cut short later must not keep half a secret.
    judgement = probe.judge(response.statusCode, redact(response.body, secrets));
    if (!judgement.ok && isTransientStatus(response.statusCode)) judgement = { ...judgement, transient: true };
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    judgement = { ok: false, value: noAnswer(error, probe.timeoutMs), transient: true };
  }
  const detail =
    judgement.detail !== undefined ? { detail: clip(redact(judgement.detail, secrets), MAX_DETAIL_LENGTH) } : {};
  return { ...judgement, value: clip(redact(judgement.value, secrets)), ...detail };
}

/** Why there was no answer, in a few words: `no answer (ECONNREFUSED)`, `no answer within 5s`. */
function noAnswer(error: unknown, timeoutMs: number): string {
  if (error instanceof TimeoutError) return `no answer within ${timeoutMs / 1000}s`;
  if (error instanceof RequestError) return `no answer (${error.code || error.message})`;
  return `no answer (${error instanceof Error ? error.message : String(error)})`;
}
