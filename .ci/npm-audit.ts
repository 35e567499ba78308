/**
 * CI's dependency audit: `npm audit --audit-level=high` over every dependency, dev
 * ones included (they run in CI and on developers' machines). High or critical
 * advisories fail the run, naming the packages.
 *
 * When the registry's advisory endpoint cannot be asked (some mirrors and sandboxes
 * answer its POST with 405), nothing was audited: the run says so loudly and goes on,
 * unless FLEET_AUDIT_REQUIRED=1, where it fails. Run: `npx tsx .ci/npm-audit.ts`.
 */
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

export type AuditVerdict =
  | { readonly kind: 'clean'; readonly message: string }
  | { readonly kind: 'vulnerable'; readonly message: string }
  | { readonly kind: 'unavailable'; readonly message: string };

interface AuditReport {
  readonly vulnerabilities?: Readonly<Record<string, { readonly severity?: string; readonly fixAvailable?: unknown }>>;
  readonly metadata?: { readonly vulnerabilities?: Readonly<Record<string, number>> };
  readonly message?: string;
  readonly statusCode?: number;
  readonly error?: { readonly summary?: string; readonly detail?: string };
}

const SERIOUS = new Set(['high', 'critical']);

/** What `npm audit --audit-level=high --json` said, from its exit code and output. */
export function classifyAudit(exitCode: number | null, stdout: string): AuditVerdict {
  let report: AuditReport | undefined;
  try {
    report = JSON.parse(stdout) as AuditReport;
  } catch {
    report = undefined;
  }
  const counts = report?.metadata?.vulnerabilities;
  if (counts) {
    const summary = Object.entries(counts)
      .filter(([severity, n]) => severity !== 'total' && n > 0)
      .map(([severity, n]) => `${n} ${severity}`)
      .join(', ');
    if (exitCode === 0)
      return { kind: 'clean', message: `npm audit: no high or critical advisories${summary ? ` (${summary})` : ''}` };
    const serious = Object.entries(report?.vulnerabilities ?? {})
      .filter(([, v]) => SERIOUS.has(v.severity ?? ''))
      .map(([name, v]) => `${name} (${v.severity}${v.fixAvailable ? ', fix available' : ''})`);
    return { kind: 'vulnerable', message: `npm audit: high or critical advisories: ${serious.join(', ') || summary}` };
  }
  const why = report?.message ?? report?.error?.summary ?? (stdout.trim().split('\n')[0] || `exit code ${exitCode}`);
  return {
    kind: 'unavailable',
    message: `npm audit: the registry's advisory endpoint could not be asked (${why}): dependencies were NOT audited in this run`,
  };
}

function main(): void {
  const run = spawnSync('npm', ['audit', '--audit-level=high', '--json'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const verdict = classifyAudit(run.status, run.stdout ?? '');
  console.log(verdict.message);
  if (verdict.kind === 'vulnerable') process.exitCode = 1;
  if (verdict.kind === 'unavailable' && process.env.FLEET_AUDIT_REQUIRED === '1') process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
