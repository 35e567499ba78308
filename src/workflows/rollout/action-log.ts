/**
 * `ActionLog`: what operators (and the rollout on their behalf: gates, approval timeouts)
 * did, newest last. The list is bounded (the report stays small however chatty the
 * operators are); `count` counts every action ever logged. Continue-as-new carries both.
 */
import { MAX_REPORTED_ACTIONS, type OperatorAction } from '../../domain/report.js';

/** Who asked and why, as the action log keeps it. */
export interface Who {
  readonly by?: string;
  readonly reason?: string;
}

export class ActionLog {
  private readonly list: OperatorAction[];
  private logged: number;

  constructor(carried?: { readonly actions: readonly OperatorAction[]; readonly actionCount: number }) {
    this.list = [...(carried?.actions ?? [])];
    this.logged = carried?.actionCount ?? 0;
  }

  /** The last MAX_REPORTED_ACTIONS actions, oldest first. */
  get entries(): readonly OperatorAction[] {
    return this.list;
  }

  /** Every action logged, including those the bounded list dropped. */
  get count(): number {
    return this.logged;
  }

  log(action: Omit<OperatorAction, 'at'>): void {
    this.logged++;
    this.list.push({ at: new Date().toISOString(), ...action });
    if (this.list.length > MAX_REPORTED_ACTIONS) this.list.shift();
  }

  /** The latest `skipCluster` naming the cluster (by id, or as `name (id)`), while the list still holds it. */
  lastSkipOf(clusterId: string): OperatorAction | undefined {
    const named = (target: string | undefined) => target === clusterId || target?.endsWith(`(${clusterId})`) === true;
    return [...this.list].reverse().find((a) => a.action === 'skipCluster' && named(a.target));
  }

  snapshot(): { actions: OperatorAction[]; actionCount: number } {
    return { actions: this.list, actionCount: this.logged };
  }
}
