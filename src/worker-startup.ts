/**
 * What a worker says about itself before it polls, so nothing it cannot do waits in
 * silence for the first rollout to find out:
 *
 * - which platforms it can serve (a token is set) and, for each it cannot, the variable
 *   to set (never a value). Platforms come from the registry's descriptors.
 * - whether its namespace has fleetwave's search attributes: each missing one is named
 *   with the command that registers it (namespace-check.ts). It warns and starts, or,
 *   with `FLEET_WORKER_REQUIRE_NAMESPACE=true`, refuses to start.
 */
import type { Logger } from './logger.js';
import { namespaceProblem, searchAttributeGaps, type OperatorConnection } from './namespace-check.js';
import type { PlatformConfig } from './platforms/config.js';
import { PLATFORM_DESCRIPTORS, type PlatformName } from './platforms/registry.js';
import { WORKER_ENV } from './worker-config.js';

export interface PlatformReadiness {
  /**
   * Platforms with a token, and the variable that holds it (Aether: how many organisations, for
   * per-organisation tokens).
   */
  readonly serving: readonly {
    readonly platform: PlatformName;
    readonly token: string;
    readonly organisations?: number;
  }[];
  /** Platforms without a token, and the variable to set. */
  readonly notServing: readonly { readonly platform: PlatformName; readonly set: string }[];
}

export function platformReadiness(config: Pick<PlatformConfig, PlatformName>): PlatformReadiness {
  const serving: PlatformReadiness['serving'][number][] = [];
  const notServing: PlatformReadiness['notServing'][number][] = [];
  for (const descriptor of PLATFORM_DESCRIPTORS) {
    const token = config[descriptor.name].token;
    if (token === undefined) notServing.push({ platform: descriptor.name, set: descriptor.env.token });
    else
      serving.push({
        platform: descriptor.name,
        token: descriptor.env.token,
        ...(typeof token === 'string' ? {} : { organisations: Object.keys(token).length }),
      });
  }
  return { serving, notServing };
}

/** `serves avisi (AVISI_API_TOKEN); cannot serve aether: set AETHER_API_TOKEN`. */
export function platformsLine(readiness: PlatformReadiness): string {
  const served = readiness.serving.map(
    (p) =>
      `${p.platform} (${p.token}${p.organisations !== undefined ? `, ${p.organisations} organisation${p.organisations === 1 ? '' : 's'}` : ''})`,
  );
  const parts = [
    served.length > 0 ? `serves ${served.join(', ')}` : 'serves no platform',
    ...(readiness.notServing.length > 0
      ? [`cannot serve ${readiness.notServing.map((p) => `${p.platform}: set ${p.set}`).join('; ')}`]
      : []),
  ];
  return parts.join('; ');
}

/** Logs which platforms the worker can serve: a warning when it cannot serve one (its rollouts would fail planning). */
export function reportPlatforms(config: Pick<PlatformConfig, PlatformName>, logger: Logger): PlatformReadiness {
  const readiness = platformReadiness(config);
  const fields = {
    serving: readiness.serving.map((p) => p.platform),
    notServing: readiness.notServing.map((p) => p.platform),
  };
  if (readiness.notServing.length > 0) logger.warn(fields, platformsLine(readiness));
  else logger.info(fields, platformsLine(readiness));
  return readiness;
}

/** The worker refuses to start: its namespace lacks search attributes and it was told to require them. */
export class NamespaceNotReadyError extends Error {
  override name = 'NamespaceNotReadyError';
}

/**
 * Checks the worker's namespace for fleetwave's search attributes: logs that it has
 * them, or warns with the commands that register the missing ones; with `require`
 * (FLEET_WORKER_REQUIRE_NAMESPACE) throws instead, also when it cannot ask.
 */
export async function checkNamespaceAtStart(
  connection: OperatorConnection,
  namespace: string,
  options: { require: boolean; logger: Logger },
): Promise<void> {
  const { require, logger } = options;
  const variable = WORKER_ENV.requireNamespace;
  let gaps;
  try {
    gaps = await searchAttributeGaps(connection, namespace);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    const message = `could not list the search attributes of namespace ${namespace}: ${why}`;
    if (require) throw new NamespaceNotReadyError(`${message} (${variable}=true: not starting)`);
    logger.warn({ namespace }, `${message}; starting anyway`);
    return;
  }
  const problem = namespaceProblem(namespace, gaps);
  if (!problem) {
    logger.info({ namespace }, `namespace ${namespace} has fleetwave's search attributes`);
    return;
  }
  if (require) throw new NamespaceNotReadyError(`${problem}\n${variable}=true: not starting.`);
  logger.warn(
    { namespace, missing: gaps.map((gap) => gap.name) },
    `${problem}\nStarting anyway (${variable}=true makes the worker refuse to).`,
  );
}
