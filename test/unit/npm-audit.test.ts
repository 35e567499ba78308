/**
 * CI's audit step (.ci/npm-audit.ts) reads npm's verdict right: high or critical
 * advisories fail, a clean report passes, and an advisory endpoint that cannot be
 * asked is reported as "not audited", never as clean.
 */
import { describe, expect, it } from 'vitest';
import { classifyAudit } from '../../.ci/npm-audit.js';

const report = (vulnerabilities: Record<string, { severity: string; fixAvailable?: boolean }>) => {
  const counts = { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0 };
  for (const v of Object.values(vulnerabilities)) {
    counts[v.severity as keyof typeof counts]++;
    counts.total++;
  }
  return JSON.stringify({
    auditReportVersion: 2,
    vulnerabilities,
    metadata: { vulnerabilities: counts, dependencies: { total: 300 } },
  });
};

describe('classifyAudit', () => {
  it('passes a report without advisories, and one with only moderate ones (npm exits 0 below the level)', () => {
    expect(classifyAudit(0, report({}))).toEqual({
      kind: 'clean',
      message: 'npm audit: no high or critical advisories',
    });
    expect(classifyAudit(0, report({ 'some-lib': { severity: 'moderate' } }))).toEqual({
      kind: 'clean',
      message: 'npm audit: no high or critical advisories (1 moderate)',
    });
  });

  it('fails on high or critical advisories, naming the packages', () => {
    const verdict = classifyAudit(
      1,
      report({
        'bad-lib': { severity: 'high', fixAvailable: true },
        'meh-lib': { severity: 'low' },
        'worse-lib': { severity: 'critical' },
      }),
    );
    expect(verdict).toEqual({
      kind: 'vulnerable',
      message: 'npm audit: high or critical advisories: bad-lib (high, fix available), worse-lib (critical)',
    });
  });

  it('says nothing was audited when the advisory endpoint refused, as npm reports it', () => {
    const refused = JSON.stringify({
      message: '405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk',
      method: 'POST',
      statusCode: 405,
      body: '',
      error: { summary: '', detail: '' },
    });
    expect(classifyAudit(1, refused)).toEqual({
      kind: 'unavailable',
      message:
        "npm audit: the registry's advisory endpoint could not be asked (405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk): dependencies were NOT audited in this run",
    });
    expect(classifyAudit(1, 'npm error network').kind).toBe('unavailable');
  });
});
