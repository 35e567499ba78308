/**
 * What fleetwave knows about a platform apart from its HTTP dialect: one descriptor per
 * platform (`src/platforms/<name>/descriptor.ts`), listed once in registry.ts. The spec,
 * the configuration, the activities and the workflows ask the descriptor; none of them
 * tests a platform's name.
 *
 * Descriptors are PURE and tiny: workflow code imports them, and the worker's reusable
 * V8 context evaluates a workflow's modules afresh for every execution (every cluster's
 * child), while the SDK's bundler rejects Node built-ins. So a descriptor imports only
 * pure domain code, and types (`import type`) from anywhere. Its client is reached
 * through `loadClient`, a dynamic import the workflow bundle leaves alone
 * (`webpackIgnore`) and the worker resolves once at start (platforms/index.ts).
 * test/unit/workflow-imports.test.ts keeps it so.
 */
import type { Logger } from '../logger.js';
import type { HttpTuning } from './http.js';
import type { PlatformClient, UpgradeState } from './types.js';

/** A token for every organisation, or one per organisation id. */
export type PlatformToken = string | Readonly<Record<string, string>>;

/** What a platform's client factory is given: the settings config.ts read through the descriptor. */
export interface PlatformClientOptions extends HttpTuning {
  /** Base URL including the API prefix. */
  readonly apiUrl: string;
  /** As the descriptor's `token.parse` returned it (the variable's text when it has none). Never logged. */
  readonly token: PlatformToken;
  readonly logger: Logger;
}

/** What `loadClient` resolves to: exported as `createClient` by the platform's client.ts. */
export type PlatformClientFactory = (options: PlatformClientOptions) => PlatformClient;

export interface PlatformDescriptor<Name extends string = string> {
  /** **Contract**: the spec's `platform`, search attribute `FleetPlatform`, log and metric label. */
  readonly name: Name;
  /** How people name it: `Avisi Cloud`. */
  readonly label: string;

  /** The worker's environment variables for this platform (config.ts reads them; docs/configuration.md lists them). */
  readonly env: {
    readonly url: string;
    readonly token: string;
    /** API calls per minute, all workers together (0: no limit). */
    readonly ratePerMinute: string;
    /** Calls that may go at once after a quiet spell. */
    readonly burst: string;
  };
  /** What an unset variable means. */
  readonly defaults: {
    readonly apiUrl: string;
    /** The platform's documented limit, or 0 when it documents none. */
    readonly ratePerMinute: number;
    readonly burst: number;
  };
  readonly token: {
    /** For `<env.token> is not set: the <label> client needs <needs>`. */
    readonly needs: string;
    /** For platforms whose variable holds more than one token; absent: the variable's text is the token. */
    readonly parse?: {
      /** The token(s), or undefined when `text` (trimmed, not empty) is malformed. */
      readonly read: (text: string) => PlatformToken | undefined;
      /** For `<env.token>: expected <expected>` (never echoes the text: it holds tokens). */
      readonly expected: string;
    };
  };

  /** How a spec writes an organisation on this platform. */
  readonly organisation: {
    /** `Avisi organisation slug`: CLI help, and the problem below. */
    readonly description: string;
    /**
     * Why `org` (not empty) is not one, in the spec's words
     * (`not an Avisi organisation slug: "Acme"`), or undefined.
     */
    readonly problem: (org: string) => string | undefined;
    /** The one spelling ids are compared in (UUIDs lower-cased). */
    readonly normalise: (org: string) => string;
  };

  /**
   * Whether the platform lists the versions it offers (`listVersions`): `latest-patch`,
   * `stable` and `rapid` resolve against that catalog; a platform without one takes
   * `targetVersions`, a target per minor.
   */
  readonly versionCatalog: boolean;

  /**
   * Whether upgrades wait for maintenance windows (`ignoreMaintenanceSchedule`,
   * `scheduleRequestDate` and dry-run window predictions apply).
   */
  readonly maintenanceWindows: boolean;

  /**
   * Present where a list page of clusters carries their upgrades' states (Aether: the
   * cluster is the upgrade), so the upgrades of an organisation in flight are polled by
   * the page (activities/read-boards.ts, the client's `upgradesOnPage`): `clusters` a page.
   * Absent: one read per upgrade, and polls are spaced for that (domain/polling.ts).
   */
  readonly statusPage?: { readonly clusters: number };

  /** What the saga's undo (activity `compensateUpgrade`) means here. */
  readonly undo: {
    /**
     * The report's `compensation` for an upgrade withdrawn before it began (**contract**:
     * committed histories hold it).
     */
    readonly withdrawnNote: string;
    /**
     * Present where a failed upgrade stays the desired state (Aether's `k8s_version`):
     * a stopped rollout puts back the desired version of clusters whose upgrade ended
     * FAILED or MISSED. Absent where a failed upgrade is over (Avisi). It holds the upgrade that
     * `compensateUpgrade` is handed for a cluster whose upgrade to `toVersion` failed
     * (pure: workflow code builds the activity's input with it), the activity's summary
     * (`<summary> of <cluster name>`) and the report's note when it did.
     */
    readonly restoreFailed?: {
      readonly failedUpgrade: (clusterId: string, toVersion: string) => UpgradeState;
      readonly summary: string;
      readonly restoredNote: string;
    };
  };

  /**
   * The client factory, loaded on demand so that the client (got, zod, Node built-ins)
   * stays out of the workflow bundle. Write it as
   * `() => import(/* webpackIgnore: true *\/ './client.js').then((m) => m.createClient)`.
   */
  readonly loadClient: () => Promise<PlatformClientFactory>;
}

/** Types a descriptor, keeping its name literal (`PlatformName` is the union of them). */
export const definePlatform = <const Name extends string>(
  descriptor: PlatformDescriptor<Name>,
): PlatformDescriptor<Name> => descriptor;
