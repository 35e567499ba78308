/**
 * The rollout's finish forecast, from its state now (the simulation is domain/forecast.ts):
 * the waves from the current one on, what each has still to start and has running, the
 * hops still ahead, the durations measured so far, the freezes. The progress query
 * computes it afresh; the UI's details, refreshed on every cluster's end, keep it
 * (`KeptForecast`, owned by the display) a minute of workflow time unless the wave, hop,
 * pause or freezes change or the measured durations double in number (1, 2, 4, ...).
 */
import { forecastEnd, type Forecast } from '../../../domain/forecast.js';
import type { Rollout } from '../state.js';

/** How long a forecast is kept before it is computed again (workflow time). */
const FRESH_MS = 60_000;

/** One rollout's forecast as the details last showed it, and what it was computed from. */
export class KeptForecast {
  private kept: { readonly at: number; readonly key: string; readonly forecast: Forecast | undefined } | undefined;

  constructor(private readonly rollout: Rollout) {}

  /** The kept forecast while it is fresh and what it depends on is unchanged; else a new one, kept. */
  at(now: number): Forecast | undefined {
    const key = keyOf(this.rollout);
    if (this.kept && this.kept.key === key && now - this.kept.at < FRESH_MS) return this.kept.forecast;
    const forecast = forecastOf(this.rollout, now);
    this.kept = { at: now, key, forecast };
    return forecast;
  }
}

/** What a kept forecast depends on: hop, wave, phase, pause, freezes, and the measured count's power of two. */
function keyOf(rollout: Rollout): string {
  const measured = rollout.tally.measured.count;
  const doubled = measured === 0 ? 0 : Math.floor(Math.log2(measured)) + 1;
  const wave = rollout.queues.currentWave ?? -1;
  return `${rollout.hopIndex}/${wave}/${rollout.phase}/${rollout.paused}/${rollout.freezes.changes}/${doubled}`;
}

/** A dry run's forecast: the whole rollout, as if started when the dry run was. */
export function dryRunForecast(rollout: Rollout): Forecast | undefined {
  return rollout.plan?.dryRun && rollout.hops.length > 0
    ? forecastOf(rollout, Date.parse(rollout.startedAt))
    : undefined;
}

/** The forecast computed now, from the rollout's state now. */
export function forecastOf(rollout: Rollout, now: number): Forecast | undefined {
  const plan = rollout.plan;
  if (!plan || rollout.hops.length === 0 || (!plan.dryRun && (rollout.phase === 'done' || rollout.stop)))
    return undefined;
  const current = plan.dryRun ? 0 : (rollout.queues.currentWave ?? 0);
  const running = (index: number) => [...rollout.inFlight.values()].filter((f) => f.waveIndex === index).length;
  const waves = rollout.waves.slice(current).map((wave, i) => {
    const index = current + i;
    // A dry run has read nothing yet for real: every wave is still to do, whole.
    const pending = plan.dryRun ? wave.total : rollout.queues.pendingIn(index, current);
    const inFlight = running(index);
    // A gate runs after a wave that had clusters (or runs now); one that ended adds nothing.
    const gateAhead = wave.plan.gate && !wave.gate?.endedAt && (wave.state === 'gating' || pending + inFlight > 0);
    // A dry run knows its clusters' first windows, wave by wave.
    const windows = plan.dryRun ? rollout.dryRun.waveWindows.get(index) : undefined;
    return {
      name: wave.plan.name,
      pending,
      running: inFlight,
      maxParallel: rollout.limitFor(wave),
      soakMs: wave.plan.soakMs,
      gated: rollout.awaitsApproval(index) !== undefined,
      ...(gateAhead ? { gateMs: wave.plan.gate!.passForMs } : {}),
      ...(windows ? { windows } : {}),
    };
  });
  const hopsAhead = plan.dryRun ? [] : rollout.hops.slice(rollout.hopIndex + 1).map((h) => ({ clusters: h.clusters }));
  const measured = rollout.tally.meanClusterMs;
  return forecastEnd({
    now,
    waves,
    hopsAhead,
    maxParallel: rollout.steering.maxParallelOverride ?? plan.maxParallel,
    hopSoakMs: plan.soakMs,
    ...(measured !== undefined ? { measured: { meanMs: measured, clusters: rollout.tally.measured.count } } : {}),
    assumedClusterMs: plan.expectedClusterMs,
    freeze: rollout.freezes.periods,
    lifted: rollout.freezes.lifts,
    ...budgetOf(rollout),
  });
}

/** The API budget the rollout's starts share: one platform's (several platforms' budgets are apart: none counted). */
function budgetOf(rollout: Rollout): { apiRatePerMinute?: number } {
  const targets = rollout.targets;
  if (targets && new Set(targets.map((t) => t.platform)).size > 1) return {};
  const rate = targets?.[0]?.apiRatePerMinute ?? rollout.apiRatePerMinute;
  return rate > 0 ? { apiRatePerMinute: rate } : {};
}
