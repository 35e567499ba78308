/**
 * Bad rollout specs, one per way a spec can be wrong, with every problem each must be
 * rejected for. The same table runs at the three doors a spec comes in by: the parser
 * (test/unit/bad-specs.test.ts), the `fleet` CLI (test/unit/cli-bad-input.test.ts) and a
 * workflow started with the raw JSON (test/integration/rejected-specs.test.ts).
 *
 * Problems that need the fleet to be seen (a downgrade, a skipped minor, an unknown
 * cluster, a refused token) are not here: only the workflow door can find them, and
 * rejected-specs.test.ts has them.
 */
import { expect } from 'vitest';
import { validateRolloutSpec, type SpecProblem } from '../../src/domain/spec.js';

/** Valid starting points for each platform; a door fills in organisations its fleet has. */
export interface SpecBase {
  readonly avisi: { readonly platform: 'avisi'; readonly organisation: string; readonly targetVersion: string };
  readonly aether: { readonly platform: 'aether'; readonly organisation: string; readonly targetVersion: string };
}

export interface ExpectedProblem {
  readonly field: string;
  readonly message: RegExp;
}

export interface BadSpecCase {
  readonly name: string;
  readonly spec: (base: SpecBase) => unknown;
  /** Every problem the rejection must name (it may name no others). */
  readonly problems: readonly ExpectedProblem[];
  /**
   * Also through the CLI door. Each is a process of its own there (a second or more), so
   * the CLI takes one case per kind of problem; what it adds is the transport (a spec
   * file, a line per problem, exit 2), the same for every case.
   */
  readonly cli?: boolean;
}

export const CLUSTER_A = '5e08fe67-1274-475d-bd0c-a65b0330507f';
export const CLUSTER_B = '7d3c2f10-8a4b-4c5d-9e6f-0a1b2c3d4e5f';

/** `count` distinct, well-formed cluster UUIDs. */
export const clusterUuids = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`);

const waves = (count: number) => Array.from({ length: count }, (_, i) => ({ name: `w${i}`, size: 1 }));

export const BAD_SPECS: readonly BadSpecCase[] = [
  {
    name: 'an empty spec',
    cli: true,
    spec: () => ({}),
    problems: [
      { field: 'platform', message: /^missing \(required\): must be one of avisi, aether$/ },
      { field: 'organisation', message: /^missing \(required\)$/ },
      { field: 'targetVersion', message: /^missing \(required\): a version .*"latest-patch".*; or targetVersions$/ },
    ],
  },
  {
    name: 'an empty organisation and version',
    spec: ({ aether }) => ({ ...aether, organisation: '', targetVersion: '' }),
    problems: [
      { field: 'organisation', message: /^must not be empty$/ },
      { field: 'targetVersion', message: /^must not be empty$/ },
    ],
  },
  {
    name: 'a missing organisation',
    spec: ({ avisi }) => ({ ...avisi, organisation: undefined }),
    problems: [{ field: 'organisation', message: /^missing \(required\)$/ }],
  },
  {
    name: 'a missing target version',
    spec: ({ aether }) => ({ ...aether, targetVersion: undefined }),
    problems: [{ field: 'targetVersion', message: /^missing \(required\): a version / }],
  },
  {
    name: 'a spec that is a list',
    spec: ({ avisi }) => [avisi],
    problems: [{ field: 'spec', message: /^must be an object of spec fields, got a list$/ }],
  },
  {
    name: 'numbers for strings',
    spec: ({ avisi }) => ({ ...avisi, organisation: 42, targetVersion: 1.31 }),
    problems: [
      { field: 'organisation', message: /^must be a string, got the number 42$/ },
      { field: 'targetVersion', message: /^must be a string, got the number 1\.31$/ },
    ],
  },
  {
    name: 'strings for numbers',
    spec: ({ avisi }) => ({ ...avisi, maxParallel: '10', retry: { maxAttempts: 'twice' } }),
    problems: [
      { field: 'maxParallel', message: /^must be a number, got the string "10"$/ },
      { field: 'retry.maxAttempts', message: /^must be a number, got the string "twice"$/ },
    ],
  },
  {
    name: 'objects for lists',
    cli: true,
    spec: ({ avisi }) => ({ ...avisi, clusters: { id: CLUSTER_A }, waves: { name: 'canary' } }),
    problems: [
      { field: 'clusters', message: /^must be a list, got an object$/ },
      { field: 'waves', message: /^must be a list, got an object$/ },
    ],
  },
  {
    name: 'wrong types for booleans, durations and budgets',
    spec: ({ avisi }) => ({ ...avisi, dryRun: 'yes', pollInterval: { seconds: 30 }, failureBudget: { maxFailed: [] } }),
    problems: [
      { field: 'dryRun', message: /^must be true or false, got the string "yes"$/ },
      { field: 'pollInterval', message: /^must be a duration such as "30s" or "7d", got an object$/ },
      {
        field: 'failureBudget.maxFailed',
        message: /^must be a whole number or a percentage such as "10%", got a list$/,
      },
    ],
  },
  {
    name: 'numbers out of range',
    spec: ({ avisi }) => ({ ...avisi, maxParallel: 1.5, maxHops: 0, historyEventsPerRun: 1e9 }),
    problems: [
      { field: 'maxParallel', message: /^must be a whole number, got the number 1\.5$/ },
      { field: 'maxHops', message: /^must be at least 1, got 0$/ },
      { field: 'historyEventsPerRun', message: /^must be at most 9000, got 1000000000$/ },
    ],
  },
  {
    // Short ids: the count is the problem, and the 100,001 ids are never looked at one by one.
    name: '100,001 clusters',
    cli: true,
    spec: ({ avisi }) => ({ ...avisi, clusters: Array.from({ length: 100_001 }, (_, i) => String(i)) }),
    problems: [{ field: 'clusters', message: /^lists 100001 clusters; at most 100000 allowed in one rollout/ }],
  },
  {
    name: '51 waves',
    spec: ({ avisi }) => ({ ...avisi, waves: waves(51) }),
    problems: [{ field: 'waves', message: /^lists 51 waves; at most 50 allowed$/ }],
  },
  {
    name: '5,000 malformed cluster ids (ten named, the rest counted)',
    cli: true,
    spec: ({ avisi }) => ({ ...avisi, clusters: Array.from({ length: 5_000 }, (_, i) => `cluster-${i}`) }),
    problems: [
      ...Array.from({ length: 10 }, (_, i) => ({
        field: `clusters[${i}]`,
        message: new RegExp(`^not a cluster UUID: "cluster-${i}"$`),
      })),
      { field: 'clusters', message: /^and 4990 more problems in clusters$/ },
    ],
  },
  {
    name: 'an unknown platform',
    cli: true,
    spec: ({ avisi }) => ({ ...avisi, platform: 'gke' }),
    problems: [{ field: 'platform', message: /^must be one of avisi, aether, got the string "gke"$/ }],
  },
  {
    name: 'an invalid Aether organisation UUID',
    spec: ({ aether }) => ({ ...aether, organisation: aether.organisation.slice(0, -1) }),
    problems: [{ field: 'organisation', message: /^not an Aether organisation UUID: "[0-9a-f-]{35}"$/ }],
  },
  {
    name: 'an invalid Avisi organisation slug',
    spec: ({ avisi }) => ({ ...avisi, organisation: 'Acme Corp' }),
    problems: [{ field: 'organisation', message: /^not an Avisi organisation slug: "Acme Corp"$/ }],
  },
  {
    name: 'invalid cluster UUIDs',
    spec: ({ avisi }) => ({
      ...avisi,
      clusters: [CLUSTER_A, 'not-a-uuid', `${CLUSTER_B}0`],
      waves: [{ name: 'canary', clusters: ['prod-1'] }, { name: 'rest' }],
    }),
    problems: [
      { field: 'clusters[1]', message: /^not a cluster UUID: "not-a-uuid"$/ },
      { field: 'clusters[2]', message: /^not a cluster UUID: "7d3c2f10-8a4b-4c5d-9e6f-0a1b2c3d4e5f0"$/ },
      { field: 'waves[0].clusters[0]', message: /^not a cluster UUID: "prod-1"$/ },
    ],
  },
  {
    name: 'a cluster listed twice',
    spec: ({ aether }) => ({ ...aether, clusters: [CLUSTER_A, CLUSTER_B, CLUSTER_A.toUpperCase()] }),
    problems: [{ field: 'clusters[2]', message: /^cluster 5E08FE67-1274-475D-BD0C-A65B0330507F is listed twice$/ }],
  },
  {
    name: 'a cluster in two waves',
    spec: ({ aether }) => ({
      ...aether,
      waves: [
        { name: 'canary', clusters: [CLUSTER_A] },
        { name: 'early', clusters: [CLUSTER_B, CLUSTER_A] },
        { name: 'rest' },
      ],
    }),
    problems: [
      {
        field: 'waves[1].clusters[1]',
        message: /^cluster 5e08fe67-1274-475d-bd0c-a65b0330507f is in more than one wave$/,
      },
    ],
  },
  {
    name: 'unknown fields',
    cli: true,
    spec: ({ avisi }) => ({
      ...avisi,
      organization: 'acme',
      maxParalel: 5,
      colour: 'blue',
      '': 1,
      waves: [{ name: 'canary', sise: 1 }, { name: 'rest' }],
    }),
    problems: [
      { field: '""', message: /^unknown field$/ },
      { field: 'organization', message: /^unknown field; did you mean organisation\?$/ },
      { field: 'maxParalel', message: /^unknown field; did you mean maxParallel\?$/ },
      { field: 'colour', message: /^unknown field$/ },
      { field: 'waves[0].sise', message: /^unknown field; did you mean size\?$/ },
      // With its size misspelt, the first wave would take the rest.
      { field: 'waves[0]', message: /^only the last wave may omit size, clusters and match/ },
    ],
  },
  {
    // Near misses at every level, each answered with the field it most likely meant.
    name: 'near-miss fields at every level',
    cli: true,
    spec: ({ avisi }) => ({
      ...avisi,
      healthCheck: [{ name: 'api', http: { url: 'https://health.example.com/' } }],
      waves: [
        { name: 'staging', matches: { environment: 'staging' } },
        { name: 'canary', size: 1, approval: { timout: '1h' }, failureBudget: { maxFailed: 1, countSupersede: false } },
        { name: 'rest' },
      ],
      healthChecks: [{ name: 'api', http: { url: 'https://health.example.com/', header: {} }, intervals: '10s' }],
      retry: { maxAttempt: 3 },
      freeze: [{ weekly: { days: ['sat'], from: '00:00', to: '24:00', timezone: 'UTC' }, reasons: 'weekend' }],
      notify: [{ channels: 'ops' }],
    }),
    problems: [
      { field: 'healthCheck', message: /^unknown field; did you mean healthChecks\?$/ },
      { field: 'waves[0].matches', message: /^unknown field; did you mean match\?$/ },
      // With its match misspelt, the first wave would take the rest.
      { field: 'waves[0]', message: /^only the last wave may omit size, clusters and match/ },
      { field: 'waves[1].approval.timout', message: /^unknown field; did you mean timeout\?$/ },
      { field: 'waves[1].failureBudget.countSupersede', message: /^unknown field; did you mean countSuperseded\?$/ },
      { field: 'healthChecks[0].http.header', message: /^unknown field; did you mean headers\?$/ },
      { field: 'healthChecks[0].intervals', message: /^unknown field; did you mean interval\?$/ },
      { field: 'retry.maxAttempt', message: /^unknown field; did you mean maxAttempts\?$/ },
      { field: 'freeze[0].weekly.timezone', message: /^unknown field; did you mean timeZone\?$/ },
      { field: 'freeze[0].weekly.timeZone', message: /^missing \(required\)$/ },
      { field: 'freeze[0].reasons', message: /^unknown field; did you mean reason\?$/ },
      { field: 'freeze[0].reason', message: /^missing \(required\)$/ },
      { field: 'notify[0].channels', message: /^unknown field; did you mean channel\?$/ },
      { field: 'notify[0].channel', message: /^missing \(required\)$/ },
    ],
  },
  {
    // A name the spec chooses from a list: the list, and the one it most likely meant.
    name: 'near-miss names',
    cli: true,
    spec: ({ avisi }) => ({
      ...avisi,
      platform: 'avsi',
      unmatched: 'refus',
      waves: [
        {
          name: 'staging',
          match: { environment: 'staging' },
          gate: { http: { url: 'https://health.example.com/' }, onFail: 'paus' },
        },
      ],
      freeze: [
        { weekly: { days: ['satt'], from: '00:00', to: '24:00', timeZone: 'Europe/Amsterdm' }, reason: 'weekend' },
      ],
      notify: [{ channel: 'ops', events: ['wave.don'] }],
    }),
    problems: [
      { field: 'platform', message: /^must be one of avisi, aether, got the string "avsi"; did you mean "avisi"\?$/ },
      { field: 'unmatched', message: /^must be "refuse" or "skip", got the string "refus"; did you mean "refuse"\?$/ },
      {
        field: 'waves[0].gate.onFail',
        message: /^must be "halt" or "pause", got the string "paus"; did you mean "pause"\?$/,
      },
      {
        field: 'freeze[0].weekly.days[0]',
        message: /^must be one of sun, .*, sat, got the string "satt"; did you mean "sat"\?$/,
      },
      {
        field: 'freeze[0].weekly.timeZone',
        message: /^unknown time zone "Europe\/Amsterdm" \(did you mean "Europe\/Amsterdam"\?\)$/,
      },
      {
        field: 'notify[0].events[0]',
        message: /^must be one of rollout\.started, .*, got the string "wave\.don"; did you mean "wave\.done"\?$/,
      },
    ],
  },
  {
    name: 'malformed values',
    spec: ({ avisi }) => ({
      ...avisi,
      targetVersion: 'latest',
      soak: 'a while',
      scheduleRequestDate: 'next tuesday',
      failureBudget: { maxFailed: '150%' },
    }),
    problems: [
      {
        field: 'targetVersion',
        message:
          /^not a Kubernetes version or one of "latest-patch", "stable", "rapid": got the string "latest"; did you mean "latest-patch"\? \(use e\.g\. "1\.31", "1\.31\.4" or "latest-patch"\)$/,
      },
      { field: 'soak', message: /^not a duration: "a while"/ },
      { field: 'scheduleRequestDate', message: /^must be an RFC 3339 date-time$/ },
      { field: 'failureBudget.maxFailed', message: /^must be a whole number or a percentage such as "10%"$/ },
    ],
  },
  {
    name: 'a megabyte-long organisation (echoed cut short)',
    spec: ({ avisi }) => ({ ...avisi, organisation: 'x'.repeat(1_000_000) }),
    problems: [{ field: 'organisation', message: /^not an Avisi organisation slug: "x{59}…$/ }],
  },
  {
    name: 'a misspelt channel',
    spec: ({ avisi }) => ({ ...avisi, targetVersion: 'stabel' }),
    problems: [{ field: 'targetVersion', message: /got the string "stabel"; did you mean "stable"\?/ }],
  },
  {
    name: 'targetVersion and targetVersions both',
    cli: true,
    spec: ({ avisi }) => ({ ...avisi, targetVersion: '1.31', targetVersions: { '1.31': '1.31.4' } }),
    problems: [{ field: 'targetVersions', message: /^set targetVersion or targetVersions, not both$/ }],
  },
  {
    name: 'targetVersions keyed by a patch, or naming another minor',
    spec: ({ avisi }) => ({
      ...avisi,
      targetVersion: undefined,
      targetVersions: { '1.30.2': '1.30.10', '1.31': '1.32.2', '1.29': 'latest' },
    }),
    problems: [
      { field: 'targetVersions["1.30.2"]', message: /^the key must be a minor such as "1\.31", got "1\.30\.2"$/ },
      { field: 'targetVersions["1.31"]', message: /^1\.32\.2 is not a 1\.31 version/ },
      { field: 'targetVersions["1.29"]', message: /^must be a version of 1\.29 such as "1\.29\.4"$/ },
    ],
  },
  {
    name: 'an empty targetVersions',
    spec: ({ avisi }) => ({ ...avisi, targetVersion: undefined, targetVersions: {} }),
    problems: [{ field: 'targetVersions', message: /^must name at least one minor/ }],
  },
  {
    name: 'latest-patch and a channel on a platform without a version list',
    spec: ({ aether, avisi }) => ({
      targets: [
        { platform: 'avisi', organisation: avisi.organisation },
        { platform: 'aether', organisation: aether.organisation },
      ],
      targetVersion: 'latest-patch',
    }),
    problems: [
      {
        field: 'targetVersion',
        message:
          /^Aether \(targets\[1\]\) lists no versions to find the latest patch in: give targets\[1\] its targetVersions/,
      },
    ],
  },
  {
    name: 'a channel on Aether',
    spec: ({ aether }) => ({ ...aether, targetVersion: 'stable' }),
    problems: [{ field: 'targetVersion', message: /^Aether lists no versions, so it has no "stable" channel/ }],
  },
  {
    name: "a target's targetVersions in a rollout to one version",
    spec: ({ aether, avisi }) => ({
      targets: [
        { platform: 'avisi', organisation: avisi.organisation },
        { platform: 'aether', organisation: aether.organisation, targetVersions: { '1.31': '1.31.4' } },
      ],
      targetVersion: '1.31',
    }),
    problems: [{ field: 'targets[1].targetVersions', message: /^only in a per-minor rollout/ }],
  },
  {
    name: 'patchOnly with latest-patch',
    spec: ({ avisi }) => ({ ...avisi, targetVersion: 'latest-patch', patchOnly: true }),
    problems: [{ field: 'patchOnly', message: /^a per-minor target keeps every cluster on its minor/ }],
  },
  {
    name: 'patchOnly with maxHops',
    spec: ({ avisi }) => ({ ...avisi, patchOnly: true, maxHops: 2 }),
    problems: [{ field: 'patchOnly', message: /^patch upgrades stay within a minor/ }],
  },
  {
    name: 'broken selectors',
    cli: true,
    spec: ({ avisi }) => ({
      ...avisi,
      waves: [
        { name: 'empty', match: {} },
        { name: 'typo', match: { enviroment: 'staging' } },
        { name: 'both', match: { environment: 'staging' }, clusters: [CLUSTER_A] },
        { name: 'wrong', match: { region: 5, name: [] } },
        { name: 'elsewhere', match: { platform: 'aether' } },
        { name: 'misspelt', match: { platform: 'avsi' } },
      ],
    }),
    problems: [
      {
        field: 'waves[0].match',
        message:
          /^must name at least one of platform, organisation, environment, region, cloudProvider, name, updateChannel, autoUpgrade$/,
      },
      { field: 'waves[1].match.enviroment', message: /^unknown field; did you mean environment\?$/ },
      { field: 'waves[2]', message: /^set match or clusters, not both$/ },
      { field: 'waves[3].match.region', message: /^must be a value or a list of values, got the number 5$/ },
      { field: 'waves[3].match.name', message: /^must list at least one value$/ },
      { field: 'waves[4].match.platform', message: /^this rollout does not span aether \(it spans avisi\)$/ },
      {
        field: 'waves[5].match.platform',
        message: /^unknown platform "avsi"; did you mean "avisi"\? \(platforms: avisi, aether\)$/,
      },
    ],
  },
  {
    name: "selectors on Avisi's own model: autoUpgrade is a boolean, updateChannel text",
    spec: ({ avisi }) => ({
      ...avisi,
      waves: [
        { name: 'auto', match: { autoUpgrade: 'yes' } },
        { name: 'listed', match: { autoUpgrade: [true] } },
        { name: 'channel', match: { updateChannel: 131 } },
        { name: 'rest' },
      ],
      exclude: [{ autoUpgrade: 1 }, { updatechannel: 'v1.31' }, { updateChannel: [] }],
    }),
    problems: [
      { field: 'waves[0].match.autoUpgrade', message: /^must be true or false, got the string "yes"$/ },
      { field: 'waves[1].match.autoUpgrade', message: /^must be true or false, got a list$/ },
      { field: 'waves[2].match.updateChannel', message: /^must be a value or a list of values, got the number 131$/ },
      { field: 'exclude[0].autoUpgrade', message: /^must be true or false, got the number 1$/ },
      { field: 'exclude[1].updatechannel', message: /^unknown field; did you mean updateChannel\?$/ },
      { field: 'exclude[2].updateChannel', message: /^must list at least one value$/ },
    ],
  },
  {
    name: 'broken exclude and unmatched',
    spec: ({ aether }) => ({
      ...aether,
      exclude: ['not-a-uuid', 7, { regoin: 'nl-ams-1' }, { platform: 'mars' }],
      unmatched: 'maybe',
    }),
    problems: [
      { field: 'exclude[0]', message: /^not a cluster UUID: "not-a-uuid"$/ },
      {
        field: 'exclude[1]',
        message: /^must be a cluster UUID or a selector such as \{"environment": "production"\}, got the number 7$/,
      },
      { field: 'exclude[2].regoin', message: /^unknown field; did you mean region\?$/ },
      { field: 'exclude[3].platform', message: /^unknown platform "mars"; platforms: avisi, aether$/ },
      { field: 'unmatched', message: /^must be "refuse" or "skip", got the string "maybe"$/ },
    ],
  },
  {
    name: 'targets mixed with platform, an organisation twice, ids across targets',
    cli: true,
    spec: ({ avisi, aether }) => ({
      ...avisi,
      targets: [
        { platform: 'avisi', organisation: avisi.organisation },
        { platform: 'aether', organisation: aether.organisation.toUpperCase() },
        { platform: 'aether', organisation: aether.organisation },
        { platform: 'aether', organisation: 'acme', colour: 'blue' },
      ],
      clusters: [CLUSTER_A],
      waves: [{ name: 'canary', clusters: [CLUSTER_B] }, { name: 'rest' }],
    }),
    problems: [
      { field: 'platform', message: /^set targets, or platform and organisation, not both$/ },
      { field: 'organisation', message: /^set targets, or platform and organisation, not both$/ },
      { field: 'targets[2]', message: /^aether organisation "[0-9a-f-]+" is listed twice$/ },
      { field: 'targets[3].organisation', message: /^not an Aether organisation UUID: "acme"$/ },
      { field: 'targets[3].colour', message: /^unknown field \(known here: platform, organisation, targetVersions\)$/ },
      { field: 'clusters', message: /^not with targets: select clusters with a wave's match/ },
      { field: 'waves[0].clusters', message: /^not with targets: select clusters with match/ },
    ],
  },
  {
    name: 'eleven targets, and a selector for a platform no target has',
    spec: ({ avisi }) => ({
      targetVersion: avisi.targetVersion,
      targets: Array.from({ length: 11 }, (_, i) => ({ platform: 'avisi', organisation: `org-${i}` })),
      waves: [{ name: 'all', match: { platform: 'aether' } }],
    }),
    problems: [
      { field: 'targets', message: /^lists 11 targets; at most 10 allowed/ },
      { field: 'waves[0].match.platform', message: /^this rollout does not span aether \(it spans avisi\)$/ },
    ],
  },
  {
    name: 'broken freeze periods',
    cli: true,
    spec: ({ avisi }) => ({
      ...avisi,
      freeze: [
        { from: '2027-01-04T00:00:00Z', to: '2026-12-20T00:00:00Z', reason: 'year end' },
        {
          weekly: { days: ['sat', 'fun'], from: '25:00', to: '24:00', timeZone: 'Mars/Olympus_Mons' },
          reason: 'weekend',
        },
        { reason: 'when?' },
        { from: '2026-12-20T00:00:00Z', reason: 'no end' },
      ],
    }),
    problems: [
      { field: 'freeze[0].to', message: /^must be after from \(2027-01-04T00:00:00Z\), got 2026-12-20T00:00:00Z$/ },
      {
        field: 'freeze[1].weekly.days[1]',
        message: /^must be one of sun, mon, tue, wed, thu, fri, sat, got the string "fun"; did you mean "sun"\?$/,
      },
      { field: 'freeze[1].weekly.from', message: /^must be a time of day such as "18:00"/ },
      { field: 'freeze[1].weekly.timeZone', message: /^unknown time zone "Mars\/Olympus_Mons"/ },
      { field: 'freeze[2]', message: /^set from and to \(RFC 3339\), or weekly/ },
      { field: 'freeze[3]', message: /^a fixed period needs both from and to$/ },
    ],
  },
  {
    name: 'broken health checks',
    cli: true,
    spec: ({ avisi }) => ({
      ...avisi,
      healthChecks: [
        {
          name: 'healthy',
          prometheus: { url: 'http://prometheus:9090', query: 'fleet_cluster_healthy{cluster="{clusterID}"}' },
        },
        {
          name: 'api',
          http: {
            url: 'https://{clusterName}.example.com/{wave}',
            headers: { Authorization: 'Bearer s3cr3t-inline', 'X-Token': { fromEnv: 'AVISI_API_TOKEN' } },
          },
        },
      ],
      waves: [
        {
          name: 'canary',
          size: 1,
          healthChecks: [{ name: 'healthy', http: { url: 'http://{region}.health.example.com/' } }],
        },
        { name: 'rest' },
      ],
    }),
    problems: [
      {
        field: 'healthChecks[0].prometheus',
        message: /^needs min, max or both: a query with no bound would pass whatever it gives$/,
      },
      {
        field: 'healthChecks[0].prometheus.query',
        message:
          /^unknown template variable \{clusterID\} \(did you mean \{clusterId\}\? known: \{clusterId\}, \{clusterName\}, \{environment\}, \{region\}, \{platform\}, \{endpoint\}\)$/,
      },
      { field: 'healthChecks[1].http.url', message: /^\{wave\} is for wave gates, not a cluster's health check$/ },
      // The inline value is never echoed: it is likely the secret itself.
      {
        field: 'healthChecks[1].http.headers.Authorization',
        message:
          /^must be \{"fromEnv": "FLEET_HEALTH_…"\}: a header's value comes from the worker's environment, never the spec/,
      },
      {
        field: 'healthChecks[1].http.headers.X-Token.fromEnv',
        message: /^must name a worker environment variable FLEET_HEALTH_\*, got "AVISI_API_TOKEN"/,
      },
      {
        field: 'waves[0].healthChecks[0].name',
        message: /^check "healthy" is named twice \(also healthChecks\[0\]\)$/,
      },
    ],
  },
  {
    name: 'broken pre-upgrade checks: unknown templates, passFor, onFail, a name twice',
    cli: true,
    spec: ({ avisi }) => ({
      ...avisi,
      preChecks: [
        {
          name: 'deprecated-apis',
          prometheus: {
            url: 'http://prometheus:9090',
            query: 'apiserver_requested_deprecated_apis{removed_release="{targetMinr}"}',
            max: 0,
          },
          passFor: '1m',
          onFail: 'halt',
        },
        { name: 'gate-only', http: { url: 'https://checks.example.com/{wave}/{currentMinor}' } },
      ],
      healthChecks: [{ name: 'after', http: { url: 'https://checks.example.com/{targetVersion}' } }],
      waves: [
        { name: 'canary', size: 1, preChecks: [{ name: 'deprecated-apis', http: { url: 'https://x.example.com/' } }] },
        { name: 'rest' },
      ],
    }),
    problems: [
      {
        field: 'preChecks[0].prometheus.query',
        message:
          /^unknown template variable \{targetMinr\} \(did you mean \{targetMinor\}\? known: \{clusterId\}, \{clusterName\}, \{environment\}, \{region\}, \{platform\}, \{endpoint\}, \{targetVersion\}, \{targetMinor\}, \{currentVersion\}, \{currentMinor\}\)$/,
      },
      { field: 'preChecks[0].passFor', message: /^unknown field/ },
      { field: 'preChecks[0].onFail', message: /^must be "block" or "fail", got the string "halt"$/ },
      { field: 'preChecks[1].http.url', message: /^unknown template variable \{wave\}/ },
      {
        field: 'healthChecks[0].http.url',
        message: /^\{targetVersion\} is for pre-upgrade checks \(preChecks\) only; known here: \{clusterId\}/,
      },
      {
        field: 'waves[0].preChecks[0].name',
        message: /^check "deprecated-apis" is named twice \(also preChecks\[0\]\)$/,
      },
    ],
  },
  {
    name: 'health checks that are neither http nor prometheus, or both, with bad timing and URLs',
    spec: ({ aether }) => ({
      ...aether,
      healthChecks: [
        { name: 'nothing', pasFor: '5m' },
        {
          name: 'both',
          http: { url: 'https://user:hunter2@health.example.com/' },
          prometheus: { url: 'prometheus:9090', query: 'up', min: 2, max: 1 },
        },
        {
          name: 'slow',
          http: { url: 'http://health.example.com/{clusterId}', status: 99, json: { field: 'status' } },
          interval: '10ms',
          timeout: 'soon',
        },
      ],
    }),
    problems: [
      { field: 'healthChecks[0].pasFor', message: /^unknown field; did you mean passFor\?$/ },
      { field: 'healthChecks[0]', message: /^set http or prometheus \(one of them\)$/ },
      { field: 'healthChecks[1]', message: /^set http or prometheus \(one of them\)$/ },
      {
        field: 'healthChecks[1].http.url',
        message: /^must not carry a user or password: send credentials in a header/,
      },
      { field: 'healthChecks[1].prometheus.url', message: /^must be an http or https URL, got "prometheus:9090"$/ },
      { field: 'healthChecks[1].prometheus.max', message: /^must be at least min \(2\), got 1$/ },
      { field: 'healthChecks[2].http.status', message: /^must be at least 100, got 99$/ },
      { field: 'healthChecks[2].http.json.equals', message: /^missing \(required\)$/ },
      { field: 'healthChecks[2].interval', message: /^must be between 100ms and 1h, got "10ms"$/ },
      { field: 'healthChecks[2].timeout', message: /^not a duration: "soon"/ },
    ],
  },
  {
    name: 'broken wave gates',
    cli: true,
    spec: ({ aether }) => ({
      ...aether,
      waves: [
        {
          name: 'canary',
          size: 1,
          gate: {
            prometheus: {
              url: 'http://prometheus:9090',
              query: 'max(errors{cluster=~"{waveClusters}", id="{clusterId}"})',
            },
            onFail: 'rollback',
          },
        },
        {
          name: 'second',
          size: 2,
          gate: {
            name: 'api',
            http: { url: 'https://health.example.com/{waves}', headers: { Authorization: 'Bearer s3cr3t-inline' } },
            prometheus: { url: 'http://p:9090', query: 'up', max: 1 },
            passfor: '1m',
          },
        },
        {
          name: 'rest',
          gate: { name: 'last', http: { url: 'https://health.example.com/?clusters={waveClusters}' }, timeout: '8d' },
        },
      ],
    }),
    problems: [
      {
        field: 'waves[0].gate.prometheus',
        message: /^needs min, max or both: a query with no bound would pass whatever it gives$/,
      },
      {
        field: 'waves[0].gate.prometheus.query',
        message: /^\{clusterId\} is a cluster's; a wave gate knows \{wave\}, \{waveClusters\}$/,
      },
      { field: 'waves[0].gate.onFail', message: /^must be "halt" or "pause", got the string "rollback"$/ },
      { field: 'waves[1].gate.passfor', message: /^unknown field; did you mean passFor\?$/ },
      { field: 'waves[1].gate', message: /^set http or prometheus \(one of them\)$/ },
      {
        field: 'waves[1].gate.http.url',
        message: /^unknown template variable \{waves\} \(did you mean \{wave\}\? known: \{wave\}, \{waveClusters\}\)$/,
      },
      {
        field: 'waves[1].gate.http.headers.Authorization',
        message:
          /^must be \{"fromEnv": "FLEET_HEALTH_…"\}: a header's value comes from the worker's environment, never the spec/,
      },
      { field: 'waves[2].gate.timeout', message: /^must be at most 7d, got "8d"$/ },
    ],
  },
  {
    name: 'unmatched where a wave takes the rest, and an empty exclude',
    spec: ({ avisi }) => ({
      ...avisi,
      exclude: [],
      unmatched: 'skip',
      waves: [{ name: 'staging', match: { environment: 'staging' } }, { name: 'rest' }],
    }),
    problems: [
      { field: 'exclude', message: /^must list at least one cluster id or selector/ },
      { field: 'unmatched', message: /^applies when every wave has match or clusters; waves\[1\] takes what is left/ },
    ],
  },
  {
    // Which channels exist only the worker knows: the rollout asks it at planning (rejected-specs.test.ts).
    name: 'broken notify entries',
    cli: true,
    spec: ({ avisi }) => ({
      ...avisi,
      notify: [
        { channel: 'OPS' },
        { channel: 'ops', events: ['wave.done', 'wave.finished', 'wave.done'] },
        { channel: 'ops', event: ['rollout.started'] },
        { channel: 'team a', events: [] },
        'pager',
      ],
    }),
    problems: [
      {
        field: 'notify[0].channel',
        message: /^must be lower case: "ops" \(FLEET_NOTIFY_OPS_URL defines channel ops\)$/,
      },
      {
        field: 'notify[1].events[1]',
        message:
          /^must be one of rollout\.started, approval\.needed, .*, rollout\.finished, got the string "wave\.finished"$/,
      },
      { field: 'notify[1].events[2]', message: /^event "wave\.done" is listed twice$/ },
      { field: 'notify[2].event', message: /^unknown field; did you mean events\?$/ },
      { field: 'notify[2].channel', message: /^channel "ops" is listed twice/ },
      { field: 'notify[3].channel', message: /^not a channel name: "team a" \(1-40 lower-case letters, digits or "_"/ },
      { field: 'notify[3].events', message: /^must list at least one event \(omit it for every event\)$/ },
      { field: 'notify[4]', message: /^must be an object, got the string "pager"$/ },
    ],
  },
  {
    name: 'notify with 21 channels',
    spec: ({ aether }) => ({ ...aether, notify: Array.from({ length: 21 }, (_, i) => ({ channel: `c${i}` })) }),
    problems: [{ field: 'notify', message: /^lists 21 channels; at most 20 allowed$/ }],
  },
  {
    name: 'an empty notify',
    spec: ({ aether }) => ({ ...aether, notify: [] }),
    problems: [{ field: 'notify', message: /^must list at least one channel \(omit it for no notifications\)$/ }],
  },
];

/**
 * Asserts that `actual` names exactly the expected problems, in any order: each one
 * once, with its field and a matching message, and nothing else.
 */
/** The problems validateRolloutSpec names for `input`; throws when it accepts the spec. */
export function problemsOf(input: unknown): readonly SpecProblem[] {
  const result = validateRolloutSpec(input);
  if (result.ok) throw new Error('expected the spec to be rejected');
  return result.problems;
}

export function expectProblems(
  actual: readonly { field: string; message: string }[],
  expected: readonly ExpectedProblem[],
): void {
  const unmatched = [...actual];
  for (const want of expected) {
    const index = unmatched.findIndex((p) => p.field === want.field && want.message.test(p.message));
    expect(
      index,
      `no problem ${want.field}: ${String(want.message)} in\n${actual.map((p) => `${p.field}: ${p.message}`).join('\n')}`,
    ).toBeGreaterThanOrEqual(0);
    unmatched.splice(index, 1);
  }
  expect(unmatched, 'problems named that the table does not expect').toEqual([]);
}
