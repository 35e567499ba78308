/**
 * `ApplicationFailure` types a rollout fails with (**contract**: clients branch on
 * them, e.g. the CLI exits 2 for a rejected spec). Shared by workflows and activities.
 */

/** The spec itself is invalid (a field is missing, malformed or out of range). */
export const INVALID_SPEC = 'InvalidSpec';

/**
 * The spec is well-formed but the fleet makes it impossible: an unknown cluster, a downgrade, a
 * skipped minor, a version not offered.
 */
export const INVALID_ROLLOUT = 'InvalidRollout';

/** Planning could not read the platform (bad token, unknown organisation, ...). */
export const PLANNING_FAILED = 'PlanningFailed';

/**
 * The Temporal namespace lacks search attributes the rollout sets; the message names them and
 * the command that registers them.
 */
export const NAMESPACE_NOT_READY = 'NamespaceNotReady';
