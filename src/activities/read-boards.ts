/**
 * The read boards of one worker process (read-board.ts), one per platform and
 * organisation for clusters: read before an upgrade is asked for, back after Avisi's
 * succeeds, and, where the cluster is its upgrade (Aether, the client's `upgradeOf`),
 * polled until the upgrade settles, so starts and polls share list pages. Where an
 * upgrade is a resource of its own (Avisi), a second board reads upgrades one by one.
 * Built over the platform clients: every read still goes through the API budget and
 * the client's retries.
 */
import { setMaxListeners } from 'node:events';
import { normaliseId } from '../domain/ids.js';
import { descriptorOf } from '../platforms/registry.js';
import type { ClusterSnapshot, PlatformClient, PlatformName, UpgradeState } from '../platforms/types.js';
import { ReadBoard, type BoardRead, type ReadAsk, type ReadWhen } from './read-board.js';

interface ClusterAsk extends ReadAsk {
  readonly clusterId: string;
}

interface UpgradeAsk extends ReadAsk {
  readonly upgrade: UpgradeState;
}

interface OrganisationBoards {
  readonly client: PlatformClient;
  readonly clusters: ReadBoard<ClusterAsk, ClusterSnapshot>;
  readonly upgrades: ReadBoard<UpgradeAsk, UpgradeState>;
}

export class ReadBoards {
  readonly #boards = new Map<string, OrganisationBoards>();

  /**
   * `budgeted`: whether the platform has an API budget. Only then are list pages read:
   * without one, requests are not what binds, and a page carries many more clusters than
   * the round asks about (the N=10,000 bench spent more worker CPU and time by the page).
   */
  constructor(
    private readonly clientFor: (platform: PlatformName) => PlatformClient,
    private readonly budgeted: (platform: PlatformName) => boolean = () => true,
  ) {}

  /** A cluster, read by a round `when` allows (with whichever others of its organisation are asked for). */
  readCluster(
    platform: PlatformName,
    organisation: string,
    clusterId: string,
    when: ReadWhen,
    signal?: AbortSignal,
  ): Promise<BoardRead<ClusterSnapshot>> {
    return this.#of(platform, organisation).clusters.read({ key: normaliseId(clusterId), clusterId }, when, signal);
  }

  /** An upgrade's state, read by a round `when` allows: off its cluster where the cluster is the upgrade. */
  async readUpgrade(
    platform: PlatformName,
    organisation: string,
    upgrade: UpgradeState,
    when: ReadWhen,
    signal?: AbortSignal,
  ): Promise<BoardRead<UpgradeState>> {
    const { client, upgrades } = this.#of(platform, organisation);
    if (!client.upgradeOf) {
      // Two rollouts asking one cluster for different versions read apart.
      const key = `${normaliseId(upgrade.upgradeId)}->${upgrade.toVersion}`;
      return upgrades.read({ key, upgrade }, when, signal);
    }
    const read = await this.readCluster(platform, organisation, upgrade.clusterId, when, signal);
    return { value: client.upgradeOf(read.value, upgrade), readAt: read.readAt };
  }

  #of(platform: PlatformName, organisation: string): OrganisationBoards {
    const id = `${platform}/${normaliseId(organisation)}`;
    let boards = this.#boards.get(id);
    if (!boards)
      this.#boards.set(id, (boards = build(this.clientFor(platform), organisation, this.budgeted(platform))));
    return boards;
  }
}

/**
 * A round's reads belong to no one activity. Without a signal of their own they would take
 * the cancellation signal of the activity that asked first (the HTTP client's `callSignal`),
 * and its cancellation would fail every other asker's read. Never aborted; shared by design.
 */
const roundSignal = new AbortController().signal;
setMaxListeners(0, roundSignal);

function build(client: PlatformClient, organisation: string, byPage: boolean): OrganisationBoards {
  // Pages as large as the platform allows where it lets the caller choose: fewer requests a round.
  const pageSize = descriptorOf(client.platform).statusPage?.clusters;
  const signal = roundSignal;
  const clusters = new ReadBoard<ClusterAsk, ClusterSnapshot>({
    one: (ask) => client.getCluster(organisation, ask.clusterId, { signal }),
    ...(byPage && {
      page: async (_asks: unknown, cursor: string | undefined) => {
        const page = await client.listClusterPage(organisation, cursor, { pageSize, signal });
        const found = new Map(page.clusters.map((cluster) => [normaliseId(cluster.id), cluster]));
        return { found, ...(page.next !== undefined ? { next: page.next } : {}) };
      },
    }),
  });
  const upgrades = new ReadBoard<UpgradeAsk, UpgradeState>({
    one: (ask) => client.getUpgrade(organisation, ask.upgrade, { signal }),
  });
  return { client, clusters, upgrades };
}
