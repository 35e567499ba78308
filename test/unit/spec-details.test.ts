/** The spec in short that the Temporal UI shows as a rollout's static details. */
import { describe, expect, it } from 'vitest';
import { specDetails } from '../../src/cli/spec-details.js';
import { parseRolloutSpec } from '../../src/domain/spec.js';

describe('specDetails', () => {
  it('names the target, the clusters, every wave with its gate and soak, and the limits', () => {
    const plan = parseRolloutSpec({
      platform: 'aether',
      organisation: '2489e9ad-1b8c-4f6e-9d0a-3c4b5a6d7e8f',
      targetVersion: '1.31',
      maxParallel: 20,
      waves: [
        { name: 'canary', size: 1, soak: '1h', gate: { name: 'errors', prometheus: { url: 'http://p:9090', query: 'up', min: 1 }, onFail: 'pause' } },
        { name: 'early', size: '10%', approval: { timeout: '24h', onTimeout: 'abort' } },
        { name: 'rest', maxParallel: 50, approval: true },
      ],
      failureBudget: { maxFailed: '2%' },
    });
    expect(specDetails(plan).split('\n')).toEqual([
      '**aether/2489e9ad-1b8c-4f6e-9d0a-3c4b5a6d7e8f → 1.31**',
      '',
      '- clusters: every cluster of the organisation',
      '- waves: canary (1, soak 1h, gate errors (pauses on failure)) → early (10%, approval within 1d, else abort) → rest (the rest, 50 at once, approval)',
      '- 20 at once · retry 2 · reschedule 2 · poll every 30s · 14d per attempt',
      '- failure budget: at most 2% failed',
    ]);
  });

  it('says a dry run changes nothing and stays short with many waves', () => {
    const waves = Array.from({ length: 50 }, (_, i) => ({ name: `w${i}`, size: 1 }));
    const details = specDetails(parseRolloutSpec({ platform: 'avisi', organisation: 'acme', targetVersion: '1.31.4', dryRun: true, waves }));
    expect(details).toContain('**avisi/acme → 1.31.4** · **dry run**: nothing is changed');
    expect(details).toContain('→ … 38 more');
    expect(details.length).toBeLessThan(1_000);
  });
});
