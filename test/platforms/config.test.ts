import { describe, expect, it } from 'vitest';
import {
  createPlatformClient,
  createPlatformClients,
  platformConfigFromEnv,
  PlatformConfigError,
} from '../../src/platforms/index.js';

describe('platformConfigFromEnv', () => {
  it('fills in the public API URLs, the default timeout and the documented rate limits', () => {
    expect(platformConfigFromEnv({})).toEqual({
      avisi: { apiUrl: 'https://api.avisi.cloud/api/v1' },
      aether: { apiUrl: 'https://api.aetherplatform.cloud/api/v1' },
      http: { timeoutMs: 10_000 },
      budgets: { avisi: { ratePerMinute: 0, burst: 5 }, aether: { ratePerMinute: 100, burst: 5 } },
    });
  });

  it('reads the API budgets, naming a malformed variable', () => {
    expect(
      platformConfigFromEnv({
        AVISI_API_RATE_PER_MINUTE: '600',
        AETHER_API_RATE_PER_MINUTE: '0',
        AETHER_API_BURST: '2',
      }).budgets,
    ).toEqual({
      avisi: { ratePerMinute: 600, burst: 5 },
      aether: { ratePerMinute: 0, burst: 2 },
    });
    expect(() => platformConfigFromEnv({ AETHER_API_RATE_PER_MINUTE: '1.5' })).toThrow(
      /AETHER_API_RATE_PER_MINUTE must be a whole number >= 0, got "1.5"/,
    );
    expect(() => platformConfigFromEnv({ AVISI_API_BURST: '0' })).toThrow(
      /AVISI_API_BURST must be a whole number >= 1/,
    );
  });

  it('reads URLs, tokens (one for all, or per organisation) and the timeout', () => {
    const config = platformConfigFromEnv({
      AVISI_API_URL: 'http://127.0.0.1:1/api/v1',
      AVISI_API_TOKEN: 'pat',
      AETHER_API_URL: 'http://127.0.0.1:2/api/v1',
      AETHER_API_TOKEN:
        'A1B2C3D4-0000-4000-8000-000000000001=aether_aa, b1b2c3d4-0000-4000-8000-000000000002=aether_bb',
      FLEET_HTTP_TIMEOUT_MS: '2500',
    });
    expect(config).toEqual({
      avisi: { apiUrl: 'http://127.0.0.1:1/api/v1', token: 'pat' },
      aether: {
        apiUrl: 'http://127.0.0.1:2/api/v1',
        token: {
          'a1b2c3d4-0000-4000-8000-000000000001': 'aether_aa',
          'b1b2c3d4-0000-4000-8000-000000000002': 'aether_bb',
        },
      },
      http: { timeoutMs: 2500 },
      budgets: { avisi: { ratePerMinute: 0, burst: 5 }, aether: { ratePerMinute: 100, burst: 5 } },
    });
    expect(platformConfigFromEnv({ AETHER_API_TOKEN: 'aether_cc' }).aether.token).toBe('aether_cc');
  });

  it('names the variable when the timeout or token list is malformed, without echoing tokens', () => {
    expect(() => platformConfigFromEnv({ FLEET_HTTP_TIMEOUT_MS: 'soon' })).toThrow(/FLEET_HTTP_TIMEOUT_MS/);
    const error = (() => {
      try {
        platformConfigFromEnv({ AETHER_API_TOKEN: 'org=aether_secret,=aether_other' });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(PlatformConfigError);
    expect(error?.message).toMatch(/AETHER_API_TOKEN/);
    expect(error?.message).not.toMatch(/aether_secret|aether_other/);
  });
});

describe('createPlatformClient(s)', () => {
  it('fails naming the missing variable only when a client is created', () => {
    const config = platformConfigFromEnv({ AVISI_API_TOKEN: 'pat' });
    expect(() => createPlatformClient('aether', config)).toThrow(/AETHER_API_TOKEN/);
    expect(() => createPlatformClient('avisi', platformConfigFromEnv({}))).toThrow(/AVISI_API_TOKEN/);
    const clients = createPlatformClients(config);
    expect(clients.get('avisi').platform).toBe('avisi');
    expect(clients.get('avisi')).toBe(clients.get('avisi'));
    expect(() => clients.get('aether')).toThrow(PlatformConfigError);
  });
});
