/**
 * `fleet versions` against the simulator: a fleet of 1,400 clusters over both platforms
 * (400 Avisi, 1,000 in one Aether organisation: 10 list pages) on 1.29, 1.30 and 1.31, a
 * few left on 1.27 (offered by neither), five Avisi ones upgrading themselves and a few
 * being upgraded. The real CLI's `--json` must match the simulator's truth
 * (`/_sim/clusters`), in seconds, with no request refused by the simulator's default
 * rate limit (Aether 100 a minute, a burst of 10) although upgrade requests spent part
 * of that burst just before. Bad input is refused before any request. No Temporal: the
 * command talks to the platforms only.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VersionCensus } from '../../src/domain/version-census.js';
import { compareVersions, formatVersion, minorOf, mustParseVersion } from '../../src/domain/versions.js';
import { createAetherClient, createAvisiClient, type ClusterSnapshot } from '../../src/platforms/index.js';
import { CATALOG } from '../../src/simulator/catalog.js';
import { generateFleet, startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { fleet } from '../support/fleet-cli.js';

const AVISI_ORG = 'acme';
const AETHER_ORG = '2489e9ad-2ee2-4e00-8ec9-32d5f69181c0';
const OLD = '1.27.16';
/** The simulator's catalog (1.28 to 1.32): the latest patch of the newest minor but one, and of the newest. */
const STABLE = '1.31.6';
const RAPID = '1.32.2';
const OPEN = new Set(['REQUESTED', 'SCHEDULED', 'SCHEDULED_NOTIFIED', 'IN_PROGRESS']);

interface TruthCluster {
  platform: string;
  organisation: string;
  id: string;
  name: string;
  version: string;
  desiredVersion?: string;
  autoUpgrade?: boolean;
  updateChannel?: { name: string };
  upgrades: { toVersion: string; status: string }[];
}

interface Call {
  platform: string;
  method: string;
  arrivedAt: number;
  status: number;
}

let sim: RunningSimulator;
let dir: string;

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  AVISI_API_URL: `${sim.url}/api/v1`,
  AVISI_API_TOKEN: sim.tokens.avisi,
  AETHER_API_URL: `${sim.url}/api/v1`,
  AETHER_API_TOKEN: sim.tokens.aether[AETHER_ORG],
  AVISI_API_RATE_PER_MINUTE: '',
  AETHER_API_RATE_PER_MINUTE: '',
  AETHER_API_BURST: '',
  ...extra,
});
const BOTH = ['--platform', 'avisi', '--organisation', AVISI_ORG, '--platform', 'aether', '--organisation', AETHER_ORG];
const sim$ = async <T>(path: string): Promise<T> => (await fetch(`${sim.url}${path}`)).json() as Promise<T>;
const calls = async () => (await sim$<{ calls: Call[] }>('/_sim/calls')).calls;
const forgetCalls = () => fetch(`${sim.url}/_sim/requests`, { method: 'DELETE' });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fleet-versions-'));
  const definition = generateFleet({
    seed: 21,
    avisi: { organisation: AVISI_ORG, clusters: 400 },
    aether: { organisation: AETHER_ORG, clusters: 1_000 },
    minors: ['1.29', '1.30', '1.31'],
  });
  // A minor neither platform offers any more, on three clusters of each.
  for (const org of [...definition.avisi!, ...definition.aether!])
    for (const cluster of org.clusters.slice(0, 3)) cluster.version = OLD;
  // Five Avisi clusters the platform upgrades itself, one of them on 1.27.
  for (const cluster of definition.avisi![0]!.clusters.slice(2, 7)) cluster.autoUpgrade = true;
  sim = await startSimulator({ port: 0, fleet: definition });
  await requestSomeUpgrades();
});

afterAll(async () => {
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Three upgrades a platform: Avisi's scheduled into windows, Aether's rolling out (20 minutes). */
async function requestSomeUpgrades(): Promise<void> {
  const clients = [
    { org: AVISI_ORG, client: createAvisiClient({ apiUrl: `${sim.url}/api/v1`, token: sim.tokens.avisi }) },
    {
      org: AETHER_ORG,
      client: createAetherClient({ apiUrl: `${sim.url}/api/v1`, token: sim.tokens.aether[AETHER_ORG]! }),
    },
  ];
  for (const { org, client } of clients) {
    const page = await client.listClusterPage(org);
    const behind = page.clusters.slice(3).filter((c) => latestPatch(c.version) !== c.version);
    for (const cluster of behind.slice(0, 3)) await upgrade(client, org, cluster);
  }
}

async function upgrade(
  client: ReturnType<typeof createAvisiClient>,
  org: string,
  cluster: ClusterSnapshot,
): Promise<void> {
  await client.requestUpgrade(org, cluster, { version: latestPatch(cluster.version)! });
}

function latestPatch(version: string): string | undefined {
  const minor = minorOf(mustParseVersion(version));
  return CATALOG.filter((e) => minorOf(e.version) === minor).at(-1)?.plain;
}

/** What the census should say of one organisation, from the simulator's truth alone. */
function expectedCensus(truth: readonly TruthCluster[], catalog: boolean) {
  const v = (c: TruthCluster) => mustParseVersion(c.version);
  const minors = [...new Set(truth.map((c) => minorOf(v(c))))].sort((a, b) =>
    compareVersions(mustParseVersion(a), mustParseVersion(b)),
  );
  const below = (c: TruthCluster, target: string) => compareVersions(v(c), mustParseVersion(target)) < 0;
  const behindPatch = (c: TruthCluster) => latestPatch(c.version) !== undefined && below(c, latestPatch(c.version)!);
  return {
    clusters: truth.length,
    minors: minors.map((minor) => {
      const members = truth.filter((c) => minorOf(v(c)) === minor);
      const patches = [...new Set(members.map((c) => formatVersion(v(c))))].sort((a, b) =>
        compareVersions(mustParseVersion(a), mustParseVersion(b)),
      );
      const latest = catalog ? (latestPatch(`${minor}.0`) ?? null) : null;
      return {
        minor,
        clusters: members.length,
        offered: catalog ? latest !== null : null,
        latestPatch: latest,
        behindLatestPatch: latest === null ? null : members.filter(behindPatch).length,
        patches: patches.map((version) => ({
          version,
          clusters: members.filter((c) => formatVersion(v(c)) === version).length,
        })),
      };
    }),
    behind: catalog
      ? {
          latestPatch: truth.filter(behindPatch).length,
          stable: truth.filter((c) => below(c, STABLE)).length,
          rapid: truth.filter((c) => below(c, RAPID)).length,
        }
      : null,
    unsupported: catalog ? [{ minor: '1.27', clusters: 3 }] : null,
  };
}

/** The clusters being upgraded, by name, with their target: Avisi's open scheduled upgrades, Aether's desired version. */
function upgradingOf(truth: readonly TruthCluster[]): [string, string][] {
  return truth
    .flatMap((c): [string, string][] => {
      if (c.desiredVersion !== undefined && c.desiredVersion !== c.version) return [[c.name, c.desiredVersion]];
      return c.upgrades.filter((u) => OPEN.has(u.status)).map((u) => [c.name, u.toVersion]);
    })
    .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
}

describe('fleet versions', () => {
  it('matches the simulator, in seconds and within the rate limit', async () => {
    await forgetCalls();
    const started = Date.now();
    const result = await fleet(env(), 'versions', '--json', ...BOTH);
    const seconds = (Date.now() - started) / 1000;
    expect(result.code, result.stderr).toBe(0);
    expect(seconds).toBeLessThan(20);
    const { targets } = JSON.parse(result.stdout) as { targets: VersionCensus[] };
    const truth = (await sim$<{ clusters: TruthCluster[] }>('/_sim/clusters')).clusters;
    expect(targets.map((t) => [t.platform, t.organisation])).toEqual([
      ['avisi', AVISI_ORG],
      ['aether', AETHER_ORG],
    ]);
    for (const census of targets) {
      const mine = truth.filter((c) => c.platform === census.platform);
      const catalog = census.platform === 'avisi';
      expect(census).toMatchObject(expectedCensus(mine, catalog));
      expect(census.catalog).toEqual(
        catalog ? { minors: ['1.28', '1.29', '1.30', '1.31', '1.32'], stable: STABLE, rapid: RAPID } : null,
      );
      expect(census.unreadable).toEqual([]);
      expect(census.upgrades.map((u) => [u.name, u.to])).toEqual(upgradingOf(mine));
      expect(census.upgrades).toHaveLength(3);
      const autoOn = mine
        .filter((c) => c.autoUpgrade === true)
        .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
      if (catalog) {
        expect(autoOn).toHaveLength(5);
        expect(census.autoUpgrade).toMatchObject({ reported: 400, on: 5 });
        expect(census.autoUpgrade?.clusters.map((c) => [c.name, c.channel])).toEqual(
          autoOn.map((c) => [c.name, c.updateChannel!.name]),
        );
      } else expect(census.autoUpgrade).toBeNull();
    }
    // Avisi's: asked for, then scheduled into a window (a simulated minute later).
    for (const u of targets[0]!.upgrades) {
      expect(['REQUESTED', 'SCHEDULED']).toContain(u.status);
      expect(u.windowStart !== undefined).toBe(u.status === 'SCHEDULED');
    }
    expect(targets[1]!.upgrades.every((u) => u.status === 'IN_PROGRESS')).toBe(true);

    // Requests: Avisi the catalog, 8 pages of 50 and one page of open upgrades; Aether 10 pages of 100.
    const made = await calls();
    expect(made.filter((c) => c.platform === 'avisi' && c.method === 'GET')).toHaveLength(10);
    const aether = made.filter((c) => c.platform === 'aether').sort((a, b) => a.arrivedAt - b.arrivedAt);
    expect(aether.map((c) => [c.method, c.status])).toEqual(Array.from({ length: 10 }, () => ['GET', 200]));
    // Kept to 100 a minute after a burst of 5 (100 ms of slack for the loopback's jitter; unpaced they would come milliseconds apart).
    aether.forEach((c, i) => expect(c.arrivedAt - aether[0]!.arrivedAt).toBeGreaterThanOrEqual((i - 4) * 600 - 100));
  });

  it('prints names, the catalog and what is behind as a table, read from a spec file', async () => {
    const spec = join(dir, 'rollout.json');
    writeFileSync(
      spec,
      JSON.stringify({
        targets: [
          { platform: 'avisi', organisation: AVISI_ORG },
          { platform: 'aether', organisation: AETHER_ORG.toUpperCase() },
        ],
        targetVersion: '1.31',
      }),
    );
    await forgetCalls();
    // Right after the run above the platform's bucket is nearly empty: a burst of 1 starts at its rate.
    const result = await fleet(env({ AETHER_API_BURST: '1' }), 'versions', '-f', spec);
    expect(result.code, result.stderr).toBe(0);
    const text = result.stdout;
    expect(text).toMatch(/^avisi\/acme \(Avisi Cloud\): 400 clusters$/m);
    expect(text).toMatch(/version catalog: 1\.28 to 1\.32; stable 1\.31\.6, rapid 1\.32\.2/);
    expect(text).toMatch(/^ {2}1\.27 +3 +unsupported +- +1\.27\.16: 3$/m);
    expect(text).toMatch(/unsupported \(minors no longer offered\): 1\.27 \(3 clusters\)/);
    expect(text).toMatch(new RegExp(`^aether/${AETHER_ORG} \\(Aether\\): 1000 clusters$`, 'm'));
    expect(text).toMatch(/no version catalog: Aether publishes none/);
    expect(text).toMatch(/upgrades scheduled or in progress: 3 clusters/);
    const truth = (await sim$<{ clusters: TruthCluster[] }>('/_sim/clusters')).clusters;
    for (const [name] of upgradingOf(truth)) expect(text).toContain(name);
    // Clusters by name: the only id shown is the organisation's.
    expect(text.replaceAll(AETHER_ORG, '')).not.toMatch(
      /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i,
    );
    const aether = (await calls()).filter((c) => c.platform === 'aether').sort((a, b) => a.arrivedAt - b.arrivedAt);
    expect(aether).toHaveLength(10);
    aether.forEach((c, i) => expect(c.arrivedAt - aether[0]!.arrivedAt).toBeGreaterThanOrEqual(i * 600 - 100));
  });

  it('was never refused by the rate limit', async () => {
    const traffic = await sim$<Record<string, { requests: number; rateLimited: number }>>('/_sim/traffic');
    expect(traffic.aether!.requests).toBeGreaterThanOrEqual(23);
    expect(traffic.aether!.rateLimited).toBe(0);
    expect(traffic.avisi!.rateLimited).toBe(0);
  });

  it.each([
    [
      'an unknown platform',
      ['--platform', 'gke', '--organisation', AVISI_ORG],
      {},
      /^fleet: --platform: must be one of avisi, aether/,
    ],
    [
      'an organisation in the wrong form',
      ['--platform', 'aether', '--organisation', AVISI_ORG],
      {},
      /^fleet: --organisation: not an Aether organisation UUID: "acme" \(with --platform aether\)/,
    ],
    [
      'a platform without its organisation',
      ['--platform', 'avisi'],
      {},
      /^fleet: --platform and --organisation go in pairs/,
    ],
    [
      'a missing token',
      BOTH,
      { AETHER_API_TOKEN: '' },
      /^fleet: AETHER_API_TOKEN is not set: --platform aether --organisation/,
    ],
    [
      'no token for the organisation',
      BOTH,
      { AETHER_API_TOKEN: `${'1'.repeat(8)}-1111-1111-1111-${'1'.repeat(12)}=aether_0123456789abcdef` },
      /^fleet: AETHER_API_TOKEN has no token for organisation 2489e9ad/,
    ],
  ] as const)('refuses %s before any request (exit 2)', async (_why, args, extra, message) => {
    await forgetCalls();
    const result = await fleet(env(extra), 'versions', ...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe('');
    expect(await calls()).toEqual([]);
  });

  it('exits 1 naming the organisation when the platform refuses the read', async () => {
    const result = await fleet(env({ AVISI_API_TOKEN: 'not-a-token' }), 'versions', ...BOTH.slice(0, 4));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^fleet: could not read Avisi Cloud organisation acme: .*401/);
    expect(result.stdout).toBe('');
  });
});
