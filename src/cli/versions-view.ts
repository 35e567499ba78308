/**
 * `fleet versions` as people read it: per organisation a table of minors and patches,
 * then what is behind, what the platform no longer offers, what upgrades itself and
 * what is being upgraded, clusters by name. `--json` prints the census itself
 * (domain/version-census.ts) instead.
 */
import { descriptorOf, isPlatformName } from '../domain/platform.js';
import type { MinorCount, UpgradeLine, VersionCensus } from '../domain/version-census.js';
import { formatTable } from './table.js';

/** Clusters named in a list before `... and N more`: `--json` lists them all. */
const NAMED = 20;

export function formatVersions(censuses: readonly VersionCensus[]): string {
  return censuses.map(formatCensus).join('\n\n');
}

function formatCensus(census: VersionCensus): string {
  const label = isPlatformName(census.platform) ? descriptorOf(census.platform).label : census.platform;
  const lines = [
    `${census.platform}/${census.organisation} (${label}): ${count(census.clusters, 'cluster')}`,
    `  ${catalogLine(census, label)}`,
  ];
  if (census.minors.length > 0) lines.push('', indent(minorTable(census)));
  lines.push('', ...behindLines(census));
  if (census.unreadable.length > 0)
    lines.push(
      `  no version reported: ${count(census.unreadable.length, 'cluster')} (${names(census.unreadable.map((c) => c.name))})`,
    );
  lines.push(`  ${autoUpgradeLine(census, label)}`);
  lines.push(...upgradeLines(census.upgrades));
  return lines.join('\n');
}

function catalogLine(census: VersionCensus, label: string): string {
  const catalog = census.catalog;
  if (!catalog)
    return `no version catalog: ${label} publishes none, so nothing is counted behind a latest patch or a channel`;
  if (catalog.minors.length === 0) return 'version catalog: empty (the platform offers no version)';
  const range = catalog.minors.length > 1 ? `${catalog.minors[0]} to ${catalog.minors.at(-1)}` : catalog.minors[0];
  return `version catalog: ${range}; stable ${catalog.stable ?? '-'}, rapid ${catalog.rapid ?? '-'}`;
}

function minorTable(census: VersionCensus): string {
  const patches = (m: MinorCount) => m.patches.map((p) => `${p.version}: ${p.clusters}`).join(', ');
  if (!census.catalog)
    return formatTable(
      ['MINOR', 'CLUSTERS', 'PATCHES'],
      census.minors.map((m) => [m.minor, String(m.clusters), patches(m)]),
    );
  return formatTable(
    ['MINOR', 'CLUSTERS', 'LATEST PATCH', 'BEHIND IT', 'PATCHES'],
    census.minors.map((m) => [
      m.minor,
      String(m.clusters),
      m.latestPatch ?? 'unsupported',
      m.behindLatestPatch === null ? '-' : String(m.behindLatestPatch),
      patches(m),
    ]),
  );
}

function behindLines(census: VersionCensus): string[] {
  const { behind, catalog, unsupported } = census;
  if (!behind || !catalog) return [];
  const channel = (name: string, target: string | null, n: number) =>
    target ? `${n} behind ${name} (${target})` : `no ${name} channel`;
  const lines = [
    `  ${count(behind.latestPatch, 'cluster')} behind the latest patch of their minor, ${channel('stable', catalog.stable, behind.stable)}, ${channel('rapid', catalog.rapid, behind.rapid)}`,
  ];
  if (unsupported && unsupported.length > 0)
    lines.push(
      `  unsupported (minors no longer offered): ${unsupported.map((u) => `${u.minor} (${count(u.clusters, 'cluster')})`).join(', ')}`,
    );
  else lines.push('  unsupported: none (every minor running is offered)');
  return lines;
}

function autoUpgradeLine(census: VersionCensus, label: string): string {
  const auto = census.autoUpgrade;
  if (!auto) return `auto-upgrade: not reported by ${label}`;
  const channels = auto.channels.map((c) => `${c.channel}: ${c.clusters}`).join(', ');
  const on = `auto-upgrade: on for ${auto.on} of ${count(auto.reported, 'cluster')} reporting it`;
  return auto.on > 0 ? `${on} (update channels ${channels}): ${names(auto.clusters.map((c) => c.name))}` : on;
}

function upgradeLines(upgrades: readonly UpgradeLine[]): string[] {
  const clusters = new Set(upgrades.map((u) => u.id)).size;
  if (clusters === 0) return ['  upgrades scheduled or in progress: none'];
  const shown = upgrades.slice(0, NAMED);
  const table = formatTable(
    ['CLUSTER', 'NOW', 'TO', 'STATUS', 'WINDOW'],
    shown.map((u) => [u.name, u.from ?? '-', u.to, u.status, u.windowStart ?? '-']),
  );
  return [
    `  upgrades scheduled or in progress: ${count(clusters, 'cluster')}`,
    indent(table, '    '),
    ...(upgrades.length > NAMED ? [`    ... and ${upgrades.length - NAMED} more (--json lists them all)`] : []),
  ];
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

const names = (all: readonly string[]) =>
  all.length > NAMED ? `${all.slice(0, NAMED).join(', ')} and ${all.length - NAMED} more` : all.join(', ');

const indent = (text: string, by = '  ') =>
  text
    .split('\n')
    .map((line) => by + line)
    .join('\n');
