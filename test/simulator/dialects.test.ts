/**
 * The simulator's dialect registry (src/simulator/dialects.ts, dialect.ts): which dialect
 * speaks a URL, whatever the order they were registered in, and each dialect's error body.
 */
import '../../src/simulator/dialect-list.js';
import { describe, expect, it } from 'vitest';
import { registerDialect, simDialects } from '../../src/simulator/dialect.js';
import { dialectOf, problemBody, underPrefix } from '../../src/simulator/dialects.js';
import type { ApiProblem } from '../../src/simulator/problems.js';

const problem: ApiProblem = {
  status: 422,
  code: 'invalid',
  message: 'bad version',
  fields: [{ field: 'version', code: 'unknown_version', message: 'unknown' }],
  notes: ['see docs'],
};

describe('simulator dialects', () => {
  it("lists the simulator's own dialects, Avisi first", () => {
    expect(simDialects().map((d) => d.name)).toEqual(['avisi', 'aether']);
  });

  it('gives a URL to the dialect with the longest prefix that owns it', () => {
    expect(dialectOf('/api/v1')).toBe('avisi');
    expect(dialectOf('/api/v1?x=1')).toBe('avisi');
    expect(dialectOf('/api/v1/orgs/acme/clusters')).toBe('avisi');
    expect(dialectOf('/api/v1/organizations/0b6f/clusters')).toBe('aether');
    expect(dialectOf('/api/v10')).toBeUndefined();
    expect(dialectOf('/_sim/clusters')).toBeUndefined();
  });

  it("keeps each dialect's error body", () => {
    expect(problemBody('avisi', problem)).toEqual({
      message: 'bad version',
      details: ['version: unknown', 'see docs'],
    });
    expect(problemBody('aether', problem)).toEqual({
      error: {
        code: 'invalid',
        message: 'bad version',
        details: [{ field: 'version', code: 'unknown_version', message: 'unknown' }],
      },
    });
  });

  it('takes a third dialect beside them, even under their prefix, and refuses a second of one name', () => {
    const [avisi] = simDialects();
    registerDialect({
      ...avisi!,
      name: 'nimbus',
      prefix: '/api/v1/nimbus',
      owns: underPrefix('/api/v1/nimbus'),
      problemBody: (p) => ({ title: p.message }),
    });
    expect(dialectOf('/api/v1/nimbus/clusters')).toBe('nimbus');
    expect(dialectOf('/api/v1/nimbusx')).toBe('avisi');
    expect(problemBody('nimbus', problem)).toEqual({ title: 'bad version' });
    expect(() => registerDialect({ ...avisi! })).toThrow(/avisi is registered twice/);
  });
});
