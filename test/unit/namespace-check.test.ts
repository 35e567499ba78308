/**
 * What a worker says at start, and the namespace message every door words the same way:
 * which platforms it can serve (the variable to set for each it cannot, never a value),
 * and each missing search attribute with the command that registers it. The server side
 * (a dev server without them) is test/integration/namespace-check.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createCommand, namespaceProblem, type SearchAttributeGap } from '../../src/namespace-check.js';
import { platformConfigFromEnv } from '../../src/platforms/config.js';
import { PLATFORM_DESCRIPTORS } from '../../src/platforms/registry.js';
import { platformReadiness, platformsLine } from '../../src/worker-startup.js';
import { FLEET_SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes.js';

const line = (env: NodeJS.ProcessEnv) => platformsLine(platformReadiness(platformConfigFromEnv(env)));

describe("the worker's platforms line", () => {
  it('names every platform it can serve and the variable to set for each it cannot', () => {
    expect(line({ AVISI_API_TOKEN: 'sim-avisi-0123456789abcdef' })).toBe(
      'serves avisi (AVISI_API_TOKEN); cannot serve aether: set AETHER_API_TOKEN',
    );
    expect(line({ AVISI_API_TOKEN: 'a', AETHER_API_TOKEN: 'b' })).toBe(
      'serves avisi (AVISI_API_TOKEN), aether (AETHER_API_TOKEN)',
    );
    expect(line({})).toBe('serves no platform; cannot serve avisi: set AVISI_API_TOKEN; aether: set AETHER_API_TOKEN');
    expect(line({ AVISI_API_TOKEN: '  ' })).toBe(
      'serves no platform; cannot serve avisi: set AVISI_API_TOKEN; aether: set AETHER_API_TOKEN',
    );
  });

  it('counts per-organisation tokens and never shows a token', () => {
    const org = (n: number) => `${n}a6a1b7e-0000-4000-8000-000000000000`;
    const text = line({ AETHER_API_TOKEN: `${org(1)}=aether_secret1,${org(2)}=aether_secret2` });
    expect(text).toBe('serves aether (AETHER_API_TOKEN, 2 organisations); cannot serve avisi: set AVISI_API_TOKEN');
    expect(text).not.toContain('secret');
  });

  it('goes by the registry: every descriptor is named, by its own token variable', () => {
    const readiness = platformReadiness(platformConfigFromEnv({}));
    expect(readiness.notServing).toEqual(PLATFORM_DESCRIPTORS.map((d) => ({ platform: d.name, set: d.env.token })));
  });
});

describe('the namespace message', () => {
  const gaps = (...names: string[]): SearchAttributeGap[] =>
    FLEET_SEARCH_ATTRIBUTES.filter((key) => names.includes(key.name)).map((key) => ({
      name: key.name,
      type: key.type,
    }));

  it('is nothing when nothing is missing', () => {
    expect(namespaceProblem('default', [])).toBeUndefined();
  });

  it('names each missing attribute with its type, and one command with a --type after each --name', () => {
    const message = namespaceProblem('prod', gaps('FleetRolloutId', 'FleetPhase', 'FleetProgressPercent'));
    expect(message).toBe(
      [
        "namespace prod lacks fleetwave's search attributes FleetRolloutId (Keyword), FleetPhase (Keyword), FleetProgressPercent (Int): fleetwave's rollouts set them, so none can run there.",
        'Register them once (with the connection flags you give `temporal`, e.g. --address host:7233):',
        '  temporal operator search-attribute create --namespace prod --name FleetRolloutId --type Keyword --name FleetPhase --type Keyword --name FleetProgressPercent --type Int',
      ].join('\n'),
    );
  });

  it('says that only rollouts over several targets need FleetPlatforms', () => {
    expect(namespaceProblem('old', gaps('FleetPlatforms'))).toBe(
      [
        "namespace old lacks fleetwave's search attribute FleetPlatforms (KeywordList): rollouts over several targets set it, so none of those can run there.",
        'Register it once (with the connection flags you give `temporal`, e.g. --address host:7233):',
        '  temporal operator search-attribute create --namespace old --name FleetPlatforms --type KeywordList',
      ].join('\n'),
    );
  });

  it('has an attribute of the wrong type removed first, then created with the others', () => {
    const message = namespaceProblem('ns', [
      { name: 'FleetPhase', type: 'KEYWORD', registered: 'Text' },
      ...gaps('FleetClusterId'),
    ])!;
    expect(message.split('\n')).toEqual([
      "namespace ns lacks fleetwave's search attribute FleetClusterId (Keyword) and has FleetPhase as Text, not Keyword: fleetwave's rollouts set them, so none can run there.",
      'Register them once (with the connection flags you give `temporal`, e.g. --address host:7233):',
      '  temporal operator search-attribute remove --namespace ns --name FleetPhase --yes',
      '  temporal operator search-attribute create --namespace ns --name FleetPhase --type Keyword --name FleetClusterId --type Keyword',
    ]);
  });

  it('registers all of them with one command', () => {
    const all = FLEET_SEARCH_ATTRIBUTES.map((key) => ({ name: key.name, type: key.type }));
    expect(createCommand('default', all).match(/--name \w+ --type \w+/g)).toHaveLength(FLEET_SEARCH_ATTRIBUTES.length);
  });
});
