/**
 * The waves of one hop and the clusters waiting in them: each wave's queue, what it has
 * still to read (listed ids, its share of the inventory stream, or its own reading when
 * waves select), the retry queue and the clusters an operator skipped before they were
 * read. Owned by the rollout's state (state.ts), the only caller; the data it holds is in
 * wave-data.ts.
 *
 * Reading is split in two steps so that this stays plain data with no I/O: `nextRead`
 * says what a wave needs read next (and moves the cursor as it says so), the workflow
 * runs the activity, and `received` takes the page in. The order of reads is the one
 * the rollout has always used: a wave's listed clusters first, then the stream; the
 * targets of a rollout over several, one after the other.
 */
import type { ClusterPlanEntry } from '../../domain/report.js';
import { emptyCounts } from '../../domain/report.js';
import { usesWaveClusters } from '../../domain/gate.js';
import type { WaveShape } from '../../domain/waves.js';
import { inventoryPosition } from '../../domain/wave-selection.js';
import { HeldClusters } from './held.js';
import {
  noteGateName,
  PAGE_SIZE,
  type InventorySource,
  type InventoryStream,
  type Placed,
  type PlanRead,
  type ReadPage,
  type WaveRun,
  type WavesSnapshot,
} from './wave-data.js';

export * from './wave-data.js';
export class WaveQueues {
  waves: WaveRun[] = [];
  currentWave: number | undefined;
  /** Clusters an operator asked to retry, with the wave they ended in; the running (or next) wave takes them first. */
  retryQueue: Placed[] = [];
  stream: InventoryStream = { done: false, buffer: [] };
  /** Clusters an operator skipped before they were read: left out when they are. */
  readonly skipList = new Set<string>();
  /** Clusters that failed and whose children wait for a retry or the rollout's end; across hops too. */
  held = new HeldClusters();

  constructor(private readonly source: InventorySource) {}

  static restore(snapshot: WavesSnapshot, source: InventorySource): WaveQueues {
    const queues = new WaveQueues(source);
    queues.waves = snapshot.waves.map((w) => ({ ...w, queue: [...w.queue], ids: [...w.ids], counts: { ...w.counts } }));
    queues.currentWave = snapshot.currentWave;
    queues.retryQueue = snapshot.retryQueue.map((item) => ('entry' in item ? item : { entry: item, waveIndex: -1 }));
    queues.stream = { ...snapshot.stream, buffer: [...snapshot.stream.buffer] };
    for (const id of snapshot.skipList) queues.skipList.add(id);
    queues.held = HeldClusters.restore(snapshot.held);
    return queues;
  }

  snapshot(): WavesSnapshot {
    return {
      waves: this.waves,
      ...(this.currentWave !== undefined ? { currentWave: this.currentWave } : {}),
      retryQueue: this.retryQueue,
      stream: this.stream,
      skipList: [...this.skipList],
      ...this.held.snapshot(),
    };
  }

  /** The waves of a (new) hop: queues and the inventory stream start afresh. */
  setWaves(shapes: readonly WaveShape[]): void {
    this.waves = shapes.map(({ size, ids, ...plan }) => ({
      plan,
      total: size + (ids?.length ?? 0),
      queue: [],
      toTake: size,
      ids: [...(ids ?? [])],
      state: 'pending',
      counts: emptyCounts(),
      // Names are kept only for a gate that asks for them (`{waveClusters}`).
      ...(plan.gate && usesWaveClusters(plan.gate) ? { gateNames: [] } : {}),
    }));
    this.stream = { done: false, buffer: [] };
    this.currentWave = undefined;
  }

  /** Wave `index` is the one running now (its clusters start, or it waits before them). */
  beginWave(index: number): void {
    this.currentWave = index;
  }

  /** The wave waits for an operator's approval (or its timeout). */
  waveAwaitingApproval(index: number): void {
    this.waves[index]!.state = 'awaiting-approval';
  }

  /** The wave's clusters start (or, resumed, go on). */
  waveUpgrading(index: number): void {
    this.waves[index]!.state = 'upgrading';
  }

  /** The wave's clusters have ended (and, after it, its soak or gate). */
  waveDone(index: number): void {
    this.waves[index]!.state = 'done';
  }

  /** The wave's clusters have ended; it soaks before the next wave starts. */
  waveSoaking(index: number): void {
    this.waves[index]!.state = 'soaking';
  }

  /** Clusters not started yet: queued, still to read, or waiting for a retry. */
  get pending(): number {
    return this.retryQueue.length + this.waves.reduce((n, w) => n + w.queue.length + w.toTake + w.ids.length, 0);
  }

  /** A wave's clusters not started yet; the retry queue counts in the `current` wave, which takes retries first. */
  pendingIn(index: number, current: number): number {
    const wave = this.waves[index]!;
    return wave.queue.length + wave.toTake + wave.ids.length + (index === current ? this.retryQueue.length : 0);
  }

  /** Whether a wave has a cluster ready to start (a retry first). */
  hasNext(waveIndex: number): boolean {
    return this.retryQueue.length > 0 || this.waves[waveIndex]!.queue.length > 0;
  }

  /** Whether a wave has nothing left to start or read (clusters in flight are the caller's to count). */
  isExhausted(waveIndex: number): boolean {
    const wave = this.waves[waveIndex]!;
    return wave.queue.length === 0 && wave.toTake === 0 && wave.ids.length === 0 && this.retryQueue.length === 0;
  }

  /** The next cluster to start in a wave: a retry first (it keeps the wave it ended in), then the wave's queue. */
  takeNext(waveIndex: number): Placed | undefined {
    const retry = this.retryQueue.shift();
    if (retry)
      return { entry: retry.entry, waveIndex: retry.waveIndex >= 0 ? retry.waveIndex : waveIndex, again: true };
    const wave = this.waves[waveIndex]!;
    const entry = wave.queue.shift();
    if (entry && wave.gateNames) noteGateName(wave.gateNames, entry.name);
    return entry && { entry, waveIndex };
  }

  /**
   * What `waveIndex` needs read before it has a cluster to start, or undefined when it
   * has one or nothing is left to read. Moves the cursor it reads from, as the read is
   * asked for; moves clusters already read from the stream into the wave's queue on the
   * way (returning those an operator had skipped, which leave the wave as SKIPPED).
   */
  nextRead(waveIndex: number, skipped: (entry: ClusterPlanEntry) => void): PlanRead | undefined {
    const wave = this.waves[waveIndex]!;
    if (wave.queue.length > 0) return undefined;
    if (wave.ids.length > 0) return { kind: 'listed', ids: wave.ids.splice(0, PAGE_SIZE) };
    if (this.source.selecting) return this.nextOwnRead(wave);
    const stream = this.stream;
    while (wave.queue.length === 0 && wave.toTake > 0) {
      if (stream.buffer.length === 0) {
        if (stream.done && this.nextTarget(stream)) continue;
        if (stream.done) {
          wave.toTake = 0; // The inventory shrank since planning.
          return undefined;
        }
        const specList = this.source.specList;
        if (!specList)
          return { kind: 'inventory', ...(stream.cursor ? { cursor: stream.cursor } : {}), target: stream.target ?? 0 };
        const from = Number(stream.cursor ?? 0);
        const ids = specList.slice(from, from + PAGE_SIZE);
        stream.cursor = String(from + ids.length);
        stream.done = from + ids.length >= specList.length;
        return { kind: 'spec', ids };
      }
      // Skips are applied as clusters leave the shared stream for a wave, so a skipped
      // cluster counts as one of that wave's share, and one skipped while read but not
      // yet taken is still caught.
      const taken = this.stream.buffer.splice(0, wave.toTake);
      wave.toTake -= taken.length;
      wave.queue.push(...this.keep(taken, skipped));
    }
    return undefined;
  }

  /** Takes in what `nextRead` asked for. */
  received(waveIndex: number, read: PlanRead, page: ReadPage, skipped: (entry: ClusterPlanEntry) => void): void {
    const wave = this.waves[waveIndex]!;
    if (read.kind === 'listed') {
      wave.queue.push(...this.keep(page.entries, skipped));
      return;
    }
    const entries = this.placed(read, page.entries);
    if (read.kind === 'select') {
      const pass = wave.pass!;
      wave.toTake -= entries.length;
      wave.queue.push(...this.keep(entries, skipped));
      pass.position += page.seen ?? 0;
      pass.cursor = page.next;
      pass.done = read.ids ? pass.position >= (this.source.specList?.length ?? 0) : page.next === undefined;
      if (page.cutoff !== undefined) {
        wave.cutoff = page.cutoff;
        pass.done = true;
      } else if (pass.done) this.nextTarget(pass);
      return;
    }
    if (read.kind === 'inventory') {
      this.stream.cursor = page.next;
      this.stream.done = page.next === undefined;
    }
    this.stream.buffer.push(...entries);
  }

  /** Removes a cluster that has not started from its queue, with its wave; undefined when it is not queued. */
  dequeue(clusterId: string): Placed | undefined {
    const retried = this.retryQueue.findIndex((item) => item.entry.id === clusterId);
    if (retried >= 0) return this.retryQueue.splice(retried, 1)[0]!;
    for (const [waveIndex, wave] of this.waves.entries()) {
      const at = wave.queue.findIndex((e) => e.id === clusterId);
      if (at >= 0) return { entry: wave.queue.splice(at, 1)[0]!, waveIndex };
    }
    return undefined;
  }

  isQueued(clusterId: string): boolean {
    return (
      this.retryQueue.some((item) => item.entry.id === clusterId) ||
      this.waves.some((w) => w.queue.some((e) => e.id === clusterId))
    );
  }

  /** Whether a cluster may still be read by some wave (listed and unread, or the stream has clusters to give). */
  mayStillRead(clusterId: string): boolean {
    return this.waves.some((w) => w.toTake > 0 || w.ids.includes(clusterId));
  }

  /** After a stop: every cluster read and still waiting, with its wave; the waves keep nothing to read. */
  drainWaiting(): Placed[] {
    const waiting: Placed[] = [];
    for (const [waveIndex, wave] of this.waves.entries()) {
      if (wave.state !== 'done') wave.state = 'stopped';
      for (const entry of wave.queue.splice(0)) waiting.push({ entry, waveIndex });
      // Never read: no line each (the rollout's tally counts them in `reconcile`), but the wave's counts add up.
      wave.counts.NOT_STARTED += wave.toTake + wave.ids.length;
      wave.toTake = 0;
      wave.ids.length = 0;
    }
    waiting.push(...this.retryQueue.splice(0));
    return waiting;
  }

  /** A selecting wave's next read of its own pass, until it has taken its share or read the whole inventory. */
  private nextOwnRead(wave: WaveRun): PlanRead | undefined {
    if (wave.toTake <= 0) return undefined;
    const pass = (wave.pass ??= { position: 0, done: false });
    if (pass.done) {
      wave.toTake = 0; // The inventory shrank since planning.
      return undefined;
    }
    const specList = this.source.specList;
    if (specList)
      return {
        kind: 'select',
        ids: specList.slice(pass.position, pass.position + PAGE_SIZE),
        target: 0,
        position: pass.position,
        take: wave.toTake,
      };
    const target = pass.target ?? 0;
    return {
      kind: 'select',
      ...(pass.cursor ? { cursor: pass.cursor } : {}),
      target,
      position: inventoryPosition(target, pass.position),
      take: wave.toTake,
    };
  }

  /** A reading that has read its target through moves on to the next target, if there is one. */
  private nextTarget(reading: { cursor?: string; target?: number; done: boolean; position?: number }): boolean {
    const next = (reading.target ?? 0) + 1;
    if (next >= (this.source.targets ?? 1)) return false;
    Object.assign(
      reading,
      { cursor: undefined, target: next, done: false },
      reading.position === undefined ? {} : { position: 0 },
    );
    return true;
  }

  /** Entries of a rollout over several targets carry the target they were read from. */
  private placed(read: PlanRead, entries: readonly ClusterPlanEntry[]): readonly ClusterPlanEntry[] {
    if ((this.source.targets ?? 1) === 1 || !('target' in read)) return entries;
    return entries.map((entry) => ({ ...entry, target: read.target }));
  }

  private keep(entries: readonly ClusterPlanEntry[], skipped: (entry: ClusterPlanEntry) => void): ClusterPlanEntry[] {
    return entries.filter((entry) => {
      if (!this.skipList.delete(entry.id)) return true;
      skipped(entry);
      return false;
    });
  }
}
