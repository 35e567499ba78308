/**
 * A simulator dialect's whole shape: the wire part (dialects.ts) and what the server,
 * the plumbing and the `/_sim/` routes ask of it. One per platform
 * (`avisi-dialect.ts`, `aether-dialect.ts`), listed in dialect-list.ts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SimContext } from './context.js';
import { addDialectWire, DIALECT_WIRES, dialectWire, type Dialect, type DialectWire } from './dialects.js';
import type { SimCluster, World } from './world.js';

export interface SimDialect extends DialectWire {
  /** Requests per minute per token when the simulator's options name none (0: no limit). */
  readonly defaultRatePerMinute: number;
  /**
   * Registers its API routes. A dialect whose clusters the fleet definition does not
   * describe (world.ts builds Avisi's and Aether's) adds its own here, to `ctx.world.clusters`.
   */
  readonly register: (app: FastifyInstance, ctx: SimContext) => void;
  /** Which client sent a request, for the call log: `<name>:<credential it knows>`, never the token. */
  readonly clientLabel: (authorization: string | undefined, world: World) => string;
  /** The lower-case cluster id a mutating request is about, for the request log. */
  readonly clusterIdOf: (request: FastifyRequest, ctx: SimContext) => string | undefined;
  /** The outcomes `PUT /_sim/clusters/{id}/outcomes` accepts for its clusters. */
  readonly outcomes: readonly string[];
  /** One of its clusters as `/_sim/clusters` shows it, brought up to now first (as every API read does). */
  readonly inspect: (cluster: SimCluster, ctx: SimContext) => unknown;
  /** Its clusters' labels on `/_sim/metrics` (null or empty values are left out). */
  readonly metricLabels: (cluster: SimCluster) => ReadonlyArray<readonly [string, string | null]>;
}

/** Adds a dialect: dialect-list.ts for the simulator's own; a test may add one before it starts a simulator. */
export const registerDialect = (dialect: SimDialect): void => addDialectWire(dialect);

/** Every dialect, in registration order. Only `registerDialect` adds them, so each is whole. */
export const simDialects = (): readonly SimDialect[] => DIALECT_WIRES as readonly SimDialect[];

export const simDialect = (name: Dialect): SimDialect => dialectWire(name) as SimDialect;
