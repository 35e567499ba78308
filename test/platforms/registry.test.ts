/**
 * The platform registry and its descriptors: one line per platform, every descriptor
 * complete, the organisation rules and undo words the spec and the workflows take from
 * them (byte-identical to what committed histories and tests hold), and the
 * configuration read through them.
 */
import { describe, expect, it } from 'vitest';
import { descriptorOf, isPlatformName, PLATFORM_DESCRIPTORS, PLATFORMS } from '../../src/domain/platform.js';
import { PLATFORM_ENV_VARS } from '../../src/platforms/config.js';
import {
  createPlatformClient,
  platformConfigFromEnv,
  PlatformConfigError,
  type PlatformDescriptor,
} from '../../src/platforms/index.js';
import { silentLogger } from '../../src/logger.js';
import { problemsOf } from '../support/bad-specs.js';

const AETHER_ORG = '2489e9ad-2ee2-8e00-8ec9-32d5f69181c0';
const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;

describe('the registry', () => {
  it('lists each platform once, by a lower-case name, in contract order', () => {
    expect(PLATFORMS).toEqual(['avisi', 'aether']);
    expect(new Set(PLATFORMS).size).toBe(PLATFORMS.length);
    for (const name of PLATFORMS) expect(name).toMatch(/^[a-z][a-z0-9-]*$/);
    // A platform's settings sit under its name in PlatformConfig, beside these.
    expect(PLATFORMS.filter((name) => ['http', 'budgets'].includes(name))).toEqual([]);
  });

  it('finds each descriptor by its name, and no other', () => {
    for (const descriptor of PLATFORM_DESCRIPTORS) expect(descriptorOf(descriptor.name)).toBe(descriptor);
    expect(PLATFORMS.every(isPlatformName)).toBe(true);
    expect([undefined, 'Avisi', 'gke', 3, null].filter(isPlatformName)).toEqual([]);
    expect(() => descriptorOf('gke' as never)).toThrow(/unknown platform "gke": one of avisi, aether/);
  });

  it('gives every platform its own environment variables and labels', () => {
    const variables = PLATFORM_DESCRIPTORS.flatMap((d) => Object.values(d.env));
    expect(new Set(variables).size).toBe(variables.length);
    const labels = PLATFORM_DESCRIPTORS.map((d) => d.label);
    expect(new Set(labels).size).toBe(labels.length);
  });

  it.each(PLATFORM_DESCRIPTORS.map((d) => [d.name, d] as const))(
    'has a complete %s descriptor',
    async (name, descriptor: PlatformDescriptor) => {
      expect(descriptor.name).toBe(name);
      expect(descriptor.label).toMatch(/\S/);
      expect(Object.keys(descriptor.env).sort()).toEqual(['burst', 'ratePerMinute', 'token', 'url']);
      for (const variable of Object.values(descriptor.env)) expect(variable).toMatch(ENV_NAME);
      expect(descriptor.defaults.apiUrl).toMatch(/^https:\/\/[^/]+\/api\/v1$/);
      expect(Number.isInteger(descriptor.defaults.ratePerMinute) && descriptor.defaults.ratePerMinute >= 0).toBe(true);
      expect(Number.isInteger(descriptor.defaults.burst) && descriptor.defaults.burst >= 1).toBe(true);
      expect(descriptor.token.needs).toMatch(/\S/);
      if (descriptor.token.parse) {
        expect(typeof descriptor.token.parse.read).toBe('function');
        expect(descriptor.token.parse.expected).toMatch(/\S/);
      }
      expect(descriptor.organisation.description).toMatch(/\S/);
      expect(typeof descriptor.organisation.problem).toBe('function');
      expect(typeof descriptor.organisation.normalise).toBe('function');
      expect(typeof descriptor.maintenanceWindows).toBe('boolean');
      expect(descriptor.undo.withdrawnNote).toMatch(/\S/);
      if (descriptor.undo.restoreFailed)
        expect(descriptor.undo.restoreFailed.failedUpgrade('c', '1.31').status).toBe('FAILED');
      // The factory it loads makes this platform's client.
      const create = await descriptor.loadClient();
      expect(create({ apiUrl: 'http://127.0.0.1:1/api/v1', token: 'token', logger: silentLogger }).platform).toBe(name);
    },
  );
});

describe('organisations', () => {
  it('Avisi: a slug, as written', () => {
    const { organisation } = descriptorOf('avisi');
    expect(organisation.problem('acme')).toBeUndefined();
    expect(organisation.problem('acme-eu-2')).toBeUndefined();
    expect(organisation.problem('Acme Corp')).toBe('not an Avisi organisation slug: "Acme Corp"');
    expect(organisation.problem(AETHER_ORG.toUpperCase())).toBe(
      `not an Avisi organisation slug: "${AETHER_ORG.toUpperCase()}"`,
    );
    expect(organisation.problem('x'.repeat(80))).toBe(`not an Avisi organisation slug: "${'x'.repeat(59)}…`);
    expect(organisation.normalise('acme')).toBe('acme');
  });

  it('Aether: a UUID, compared lower-case', () => {
    const { organisation } = descriptorOf('aether');
    expect(organisation.problem(AETHER_ORG)).toBeUndefined();
    expect(organisation.problem(AETHER_ORG.toUpperCase())).toBeUndefined();
    expect(organisation.problem('acme')).toBe('not an Aether organisation UUID: "acme"');
    expect(organisation.normalise(AETHER_ORG.toUpperCase())).toBe(AETHER_ORG);
  });

  it("are the spec's rule, with the same words", () => {
    expect(problemsOf({ platform: 'avisi', organisation: 'Acme Corp', targetVersion: '1.31' })).toEqual([
      { field: 'organisation', message: 'not an Avisi organisation slug: "Acme Corp"' },
    ]);
    expect(problemsOf({ platform: 'aether', organisation: 'acme', targetVersion: '1.31' })).toEqual([
      { field: 'organisation', message: 'not an Aether organisation UUID: "acme"' },
    ]);
    // An unknown platform is its own problem; the organisation is not judged against a guess.
    expect(
      problemsOf({ platform: 'gke', organisation: 'Acme Corp', targetVersion: '1.31' }).map((p) => p.field),
    ).toEqual(['platform']);
  });
});

describe('undo', () => {
  it('names what withdrawing a request did, and which platforms keep a failed upgrade desired', () => {
    expect(descriptorOf('avisi').undo).toEqual({ withdrawnNote: 'withdrawn' });
    const { restoreFailed, ...aether } = descriptorOf('aether').undo;
    expect(aether).toEqual({ withdrawnNote: 'restored k8s_version' });
    // The activity input committed histories hold: the cluster is Aether's upgrade.
    expect(restoreFailed?.failedUpgrade('c-1', '1.31')).toEqual({
      upgradeId: 'c-1',
      clusterId: 'c-1',
      toVersion: '1.31',
      status: 'FAILED',
      rawStatus: 'failed',
    });
    expect([restoreFailed?.summary, restoreFailed?.restoredNote]).toEqual([
      'restore k8s_version',
      'restored k8s_version',
    ]);
    expect(PLATFORM_DESCRIPTORS.filter((d) => d.maintenanceWindows).map((d) => d.name)).toEqual(['avisi']);
  });
});

describe('configuration through the descriptors', () => {
  it("reads every descriptor's variables, and lists them for deployment files", () => {
    expect(PLATFORM_ENV_VARS).toEqual(
      expect.arrayContaining(PLATFORM_DESCRIPTORS.flatMap((d) => Object.values(d.env))),
    );
    expect(PLATFORM_ENV_VARS).toContain('FLEET_HTTP_TIMEOUT_MS');
    expect(PLATFORM_ENV_VARS.length).toBe(PLATFORM_DESCRIPTORS.length * 4 + 1);
    const env = Object.fromEntries(
      PLATFORM_DESCRIPTORS.flatMap((d, i) => [
        [d.env.url, `http://127.0.0.1:${i + 1}/api/v1`],
        [d.env.token, `token-${i}`],
        [d.env.ratePerMinute, String(60 + i)],
        [d.env.burst, String(2 + i)],
      ]),
    );
    const config = platformConfigFromEnv(env);
    PLATFORM_DESCRIPTORS.forEach((d, i) => {
      expect(config[d.name]).toEqual({ apiUrl: `http://127.0.0.1:${i + 1}/api/v1`, token: `token-${i}` });
      expect(config.budgets[d.name]).toEqual({ ratePerMinute: 60 + i, burst: 2 + i });
    });
  });

  it("falls back to each descriptor's defaults", () => {
    const config = platformConfigFromEnv({});
    for (const d of PLATFORM_DESCRIPTORS) {
      expect(config[d.name]).toEqual({ apiUrl: d.defaults.apiUrl });
      expect(config.budgets[d.name]).toEqual({ ratePerMinute: d.defaults.ratePerMinute, burst: d.defaults.burst });
    }
  });

  it('leaves token parsing to the platform, naming the variable and never the token', () => {
    expect(platformConfigFromEnv({ AVISI_API_TOKEN: 'a=b' }).avisi.token).toBe('a=b');
    expect(() => platformConfigFromEnv({ AETHER_API_TOKEN: 'aether_secret=' })).toThrow(
      new PlatformConfigError(
        'AETHER_API_TOKEN: expected a token or orgId=token pairs separated by commas',
        'AETHER_API_TOKEN',
      ),
    );
  });

  it('says which variable a client lacks, in the words it always used', () => {
    expect(() => createPlatformClient('avisi', platformConfigFromEnv({}))).toThrow(
      'AVISI_API_TOKEN is not set: the Avisi Cloud client needs a personal access token',
    );
    expect(() => createPlatformClient('aether', platformConfigFromEnv({}))).toThrow(
      'AETHER_API_TOKEN is not set: the Aether client needs an API token (or orgId=token pairs)',
    );
  });
});
