/**
 * The Helm chart's platform parts follow the registry: the committed schema and
 * templates/_platforms.tpl are what `npm run chart:sync` writes, and a platform the
 * registry gains reaches the chart by that command alone (no hand-written `avisi`/`aether`
 * left in the schema's platform parts or in _env.tpl).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { definePlatform } from '../../src/platforms/descriptor.js';
import { CHART_DIR, chartFiles } from '../../src/platforms/chart-sync.js';
import { PLATFORM_DESCRIPTORS } from '../../src/platforms/registry.js';
import { findExecutable } from '../support/executables.js';

// The pinned helm test/unit/helm-chart.test.ts uses (.ci/install-helm.sh), or HELM_PATH, or one on PATH.
const helm = process.env.HELM_PATH
  ? findExecutable([], process.env.HELM_PATH)
  : (findExecutable([], join(CHART_DIR, '..', '..', '..', '.fleetwave', 'helm', 'v3.22.0', 'helm')) ??
    findExecutable(['helm'], undefined));

const nimbus = definePlatform({
  ...PLATFORM_DESCRIPTORS[0]!,
  name: 'nimbus',
  label: 'Nimbus',
  env: {
    url: 'NIMBUS_API_URL',
    token: 'NIMBUS_API_TOKEN',
    ratePerMinute: 'NIMBUS_API_RATE_PER_MINUTE',
    burst: 'NIMBUS_API_BURST',
  },
  defaults: { apiUrl: 'https://api.nimbus.example/v1', ratePerMinute: 0, burst: 5 },
});

describe('chart sync', () => {
  it('the committed chart is what `npm run chart:sync` writes from the registry', () => {
    for (const [path, text] of Object.entries(chartFiles(PLATFORM_DESCRIPTORS))) {
      expect(readFileSync(join(CHART_DIR, path), 'utf8'), `${path}: run npm run chart:sync`).toBe(text);
    }
  });

  it('a third platform reaches the schema and the templates by the sync alone', () => {
    const files = chartFiles([...PLATFORM_DESCRIPTORS, nimbus]);
    const schema = JSON.parse(files['values.schema.json']!) as {
      properties: Record<string, { properties: Record<string, { properties: Record<string, unknown> }> }>;
    };
    expect(Object.keys(schema.properties.platforms!.properties)).toEqual([
      ...PLATFORM_DESCRIPTORS.map((d) => d.name),
      'nimbus',
      'httpTimeoutMs',
    ]);
    expect(Object.keys(schema.properties.secret!.properties.keys!.properties)).toContain('nimbusToken');
    const template = files[join('templates', '_platforms.tpl')]!;
    for (const name of [
      'NIMBUS_API_URL',
      'NIMBUS_API_RATE_PER_MINUTE',
      'NIMBUS_API_BURST',
      'NIMBUS_API_TOKEN',
      'https://api.nimbus.example/v1',
    ])
      expect(template).toContain(name);
  });

  it('the hand-written templates name no platform: they include the generated parts', () => {
    const env = readFileSync(join(CHART_DIR, 'templates', '_env.tpl'), 'utf8');
    // The secret-name pattern lists the token variables on purpose (and catches any *_TOKEN anyway).
    const code = env.split('\n').filter((line) => !line.includes('secretEnvPattern') && !line.startsWith('^('));
    for (const d of PLATFORM_DESCRIPTORS)
      expect(code.filter((line) => line.includes(d.name) || line.includes(d.env.url))).toEqual([]);
    expect(env).toContain('include "fleetwave.platformEnv"');
    expect(env).toContain('include "fleetwave.platformTokenKeys"');
  });

  it.skipIf(!helm)(
    'a chart synced with a third platform renders its variables, and still refuses an unknown one',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'fleet-chart-'));
      try {
        const chart = join(dir, 'fleetwave');
        cpSync(CHART_DIR, chart, { recursive: true });
        for (const [path, text] of Object.entries(chartFiles([...PLATFORM_DESCRIPTORS, nimbus], chart)))
          writeFileSync(join(chart, path), text);
        const env = {
          ...process.env,
          HELM_CONFIG_HOME: join(dir, 'config'),
          HELM_CACHE_HOME: join(dir, 'cache'),
          HELM_DATA_HOME: join(dir, 'data'),
        };
        const template = (...set: string[]) =>
          spawnSync(
            helm!,
            ['template', 'x', chart, '--set', 'temporal.address=t:7233', ...set.flatMap((s) => ['--set', s])],
            { env, encoding: 'utf8', timeout: 30_000 },
          );
        const rendered = template('platforms.nimbus.ratePerMinute=7', 'secret.keys.nimbusToken=nimbus-key');
        expect(rendered.stderr).toBe('');
        expect(rendered.stdout).toMatch(/- name: NIMBUS_API_URL\s+value: "https:\/\/api\.nimbus\.example\/v1"/);
        expect(rendered.stdout).toMatch(/- name: NIMBUS_API_RATE_PER_MINUTE\s+value: "7"/);
        expect(rendered.stdout).toMatch(
          /- name: NIMBUS_API_TOKEN\s+valueFrom:\s+secretKeyRef:\s+name: x-fleetwave\s+key: nimbus-key/,
        );
        expect(template('platforms.gke.apiUrl=https://gke.example').stderr).toMatch(
          /additional properties 'gke' not allowed/,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
