/**
 * Whether a Temporal namespace has fleetwave's search attributes, and what to run when
 * it has not. A rollout upserts them from its first workflow task; on a namespace that
 * lacks one the server fails that task (BadSearchAttributes) and the SDK retries it every
 * 10 s for ever, while whoever started it sees nothing. So three doors ask here first and
 * word the problem the same way, naming each attribute and the command that registers it:
 * the worker at start (worker-startup.ts), `fleet rollout start|plan` before starting
 * anything (cli/namespace-guard.ts), and the rollout itself before its first upsert
 * (activity `checkNamespace`, for rollouts started by any other client).
 *
 * The command pairs each `--name` with a `--type`: the `temporal` CLI (1.9) pairs them one
 * to one, so `--name A --name B --type Keyword` registers A only, and says it added them.
 */
import { SearchAttributeType } from '@temporalio/common';
// The package is CommonJS: its namespace comes as the default export under ESM.
import proto from '@temporalio/proto';
import {
  FLEET_SEARCH_ATTRIBUTES,
  rolloutSearchAttributes,
  type FleetSearchAttributeKey,
} from './workflows/search-attributes.js';

/**
 * Each search attribute type: how the `temporal` CLI names it (`--search-attribute Name=Type`,
 * `--type`), and a literal of it a visibility query accepts (the harness's probe, devserver/temporal-namespace.ts).
 */
const TYPES: Record<SearchAttributeType, { readonly cli: string; readonly literal: string }> = {
  [SearchAttributeType.KEYWORD]: { cli: 'Keyword', literal: "''" },
  [SearchAttributeType.TEXT]: { cli: 'Text', literal: "''" },
  [SearchAttributeType.INT]: { cli: 'Int', literal: '0' },
  [SearchAttributeType.DOUBLE]: { cli: 'Double', literal: '0' },
  [SearchAttributeType.BOOL]: { cli: 'Bool', literal: 'false' },
  [SearchAttributeType.DATETIME]: { cli: 'Datetime', literal: "'1970-01-01T00:00:00Z'" },
  [SearchAttributeType.KEYWORD_LIST]: { cli: 'KeywordList', literal: "''" },
};

/** How the `temporal` CLI names each search attribute type. */
export const SEARCH_ATTRIBUTE_CLI_TYPES = Object.fromEntries(
  Object.entries(TYPES).map(([type, { cli }]) => [type, cli]),
) as Record<SearchAttributeType, string>;

/** A literal of `type` for a query that names an attribute of it. */
export const searchAttributeLiteral = (type: SearchAttributeType): string => TYPES[type].literal;

export type IndexedValueType = proto.temporal.api.enums.v1.IndexedValueType;

/** The API's enum for a type: `KEYWORD_LIST` is `INDEXED_VALUE_TYPE_KEYWORD_LIST`. */
export const indexedValueType = (type: SearchAttributeType): IndexedValueType =>
  proto.temporal.api.enums.v1.IndexedValueType[`INDEXED_VALUE_TYPE_${type}`];

/** The CLI's name of a type the API returned (`Text`), or the API's own for one the CLI does not name. */
function cliTypeOf(value: IndexedValueType): string {
  const name = proto.temporal.api.enums.v1.IndexedValueType[value] ?? String(value);
  const type = name.replace(/^INDEXED_VALUE_TYPE_/, '') as SearchAttributeType;
  return SEARCH_ATTRIBUTE_CLI_TYPES[type] ?? name;
}

/** A search attribute fleetwave needs that the namespace lacks, or has with another type. */
export interface SearchAttributeGap {
  readonly name: string;
  /** The type fleetwave needs. */
  readonly type: SearchAttributeType;
  /** The type registered under this name, in the CLI's spelling (`Text`); absent: none is. */
  readonly registered?: string;
}

/** What the check needs of a connection: a client's `Connection` and a worker's `NativeConnection` both have it. */
export interface OperatorConnection {
  readonly operatorService: Pick<proto.temporal.api.operatorservice.v1.OperatorService, 'listSearchAttributes'>;
}

/**
 * The attributes of `keys` (default: all of fleetwave's) that `namespace` lacks or has with
 * another type, in `keys`' order.
 */
export async function searchAttributeGaps(
  connection: OperatorConnection,
  namespace: string,
  keys: readonly FleetSearchAttributeKey[] = FLEET_SEARCH_ATTRIBUTES,
): Promise<SearchAttributeGap[]> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const existing = customAttributes ?? {};
  const gaps: SearchAttributeGap[] = [];
  for (const key of keys) {
    const has = existing[key.name];
    if (has === undefined || has === null) gaps.push({ name: key.name, type: key.type });
    else if (has !== indexedValueType(key.type))
      gaps.push({ name: key.name, type: key.type, registered: cliTypeOf(has) });
  }
  return gaps;
}

/** One line that registers every gap: `--name X --type T` pairs, as the CLI reads them. */
export function createCommand(namespace: string, gaps: readonly SearchAttributeGap[]): string {
  const pairs = gaps.map((gap) => `--name ${gap.name} --type ${SEARCH_ATTRIBUTE_CLI_TYPES[gap.type]}`);
  return ['temporal operator search-attribute create', `--namespace ${namespace}`, ...pairs].join(' ');
}

/**
 * Why fleetwave's rollouts cannot run on `namespace`, and the commands that fix it
 * (undefined when nothing is missing). A wrong type cannot be changed in place: the
 * attribute is removed first, then created with the others.
 */
export function namespaceProblem(namespace: string, gaps: readonly SearchAttributeGap[]): string | undefined {
  if (gaps.length === 0) return undefined;
  const missing = gaps.filter((gap) => gap.registered === undefined);
  const wrong = gaps.filter((gap) => gap.registered !== undefined);
  const what = [
    ...(missing.length > 0
      ? [
          `lacks fleetwave's search attribute${missing.length > 1 ? 's' : ''} ${missing.map((gap) => `${gap.name} (${SEARCH_ATTRIBUTE_CLI_TYPES[gap.type]})`).join(', ')}`,
        ]
      : []),
    ...wrong.map((gap) => `has ${gap.name} as ${gap.registered}, not ${SEARCH_ATTRIBUTE_CLI_TYPES[gap.type]}`),
  ].join(' and ');
  const it = gaps.length > 1 ? 'them' : 'it';
  // A namespace set up before FleetPlatforms existed still runs single-target rollouts.
  const single = new Set(rolloutSearchAttributes(1).map((key) => key.name));
  const who = gaps.every((gap) => !single.has(gap.name))
    ? `rollouts over several targets set ${it}, so none of those`
    : `fleetwave's rollouts set ${it}, so none`;
  const commands = [
    ...wrong.map(
      (gap) => `temporal operator search-attribute remove --namespace ${namespace} --name ${gap.name} --yes`,
    ),
    createCommand(namespace, gaps),
  ];
  return [
    `namespace ${namespace} ${what}: ${who} can run there.`,
    `Register ${it} once (with the connection flags you give \`temporal\`, e.g. --address host:7233):`,
    ...commands.map((command) => `  ${command}`),
  ].join('\n');
}
