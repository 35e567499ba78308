/**
 * What one cluster's child knows of its upgrade (clusterUpgrade, steps.ts): the requests
 * it sent, the retries and reschedules it spent against the spec's limits, the upgrade
 * it asked for last (what compensation undoes), the current attempt's deadline and the
 * phase it shows. Changed only through named transitions; pure (no workflow API), so it
 * is tested without a server (test/unit/cluster-attempt.test.ts).
 */
import type { ClusterOutcome, ClusterResult } from '../../domain/report.js';
import type { UpgradeState } from '../../platforms/types.js';
import type { ClusterUpgradeInput } from './input.js';

type AttemptInput = Pick<
  ClusterUpgradeInput,
  'cluster' | 'retryMaxAttempts' | 'rescheduleMaxAttempts' | 'attemptDeadlineMs' | 'scheduleRequestDate'
>;

export class ClusterAttempt {
  #requests = 0;
  #retries = 0;
  #reschedules = 0;
  #latest: UpgradeState | undefined;
  #deadline = 0;
  /** The parent starts the child with `requesting` shown (its search attributes at start). */
  #shown = 'requesting';

  constructor(private readonly input: AttemptInput) {}

  /** Requests the platform took (one already asked for by this rollout is not sent again). */
  get requests(): number {
    return this.#requests;
  }
  get retries(): number {
    return this.#retries;
  }
  get reschedules(): number {
    return this.#reschedules;
  }
  /** The upgrade asked for last: what compensation undoes; undefined before the first request. */
  get latest(): UpgradeState | undefined {
    return this.#latest;
  }
  /** When the current attempt must have settled (workflow time, epoch ms). */
  get deadline(): number {
    return this.#deadline;
  }
  /** The phase shown in `FleetPhase`. */
  get shown(): string {
    return this.#shown;
  }

  /** Shows `phase`: true when that changes what is shown (a write, so an event), false when it is shown already. */
  show(phase: string): boolean {
    if (phase === this.#shown) return false;
    this.#shown = phase;
    return true;
  }

  /**
   * An attempt starts at `now` (its deadline runs from there). The spec's request date goes
   * with the first request only: a retry or reschedule takes the next window from now.
   */
  begin(now: number): { scheduleRequestDate?: string } {
    this.#deadline = now + this.input.attemptDeadlineMs;
    const date = this.#requests === 0 ? this.input.scheduleRequestDate : undefined;
    return date ? { scheduleRequestDate: date } : {};
  }

  /** The platform answered the request: `upgrade` is what to settle (and undo); `sent` when it was sent now. */
  requested(upgrade: UpgradeState, sent: boolean): void {
    this.#latest = upgrade;
    if (sent) this.#requests++;
  }

  /** The upgrade FAILED: true (and counted) when the spec allows another try. */
  retry(): boolean {
    if (this.#retries >= this.input.retryMaxAttempts) return false;
    this.#retries++;
    return true;
  }

  /** The upgrade MISSED its window (or its deadline): true (and counted) when the spec allows another. */
  reschedule(): boolean {
    if (this.#reschedules >= this.input.rescheduleMaxAttempts) return false;
    this.#reschedules++;
    return true;
  }

  /** The cluster's result, with the counts so far. */
  result(outcome: ClusterOutcome, finalVersion?: string, message?: string, compensation?: string): ClusterResult {
    const { cluster } = this.input;
    return {
      clusterId: cluster.id,
      name: cluster.name,
      outcome,
      fromVersion: cluster.version,
      ...(finalVersion ? { finalVersion } : {}),
      requests: this.#requests,
      retries: this.#retries,
      reschedules: this.#reschedules,
      ...(message ? { message } : {}),
      ...(compensation ? { compensation } : {}),
    };
  }

  /** Held, then retried by its rollout (hold.ts): a fresh budget, nothing requested yet. The phase shown stays. */
  again(): void {
    [this.#requests, this.#retries, this.#reschedules, this.#latest] = [0, 0, 0, undefined];
  }
}
