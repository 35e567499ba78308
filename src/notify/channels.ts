/**
 * Notification channels from the worker's environment (see docs/configuration.md
 * "Notifications"): `FLEET_NOTIFY_<NAME>_URL` defines channel `<name>` (NAME in upper
 * case, the channel in lower: `FLEET_NOTIFY_OPS_URL` is channel `ops`), with an optional
 * `FLEET_NOTIFY_<NAME>_SECRET` (HMAC-SHA256 signature, sign.ts) and
 * `FLEET_NOTIFY_<NAME>_FORMAT` (`json`, the default, or `slack`).
 *
 * Read once when the worker starts, so a typo stops the start with one line naming the
 * variable. A webhook URL is a secret (whoever has a Slack hook URL may post to the
 * channel), so no message here, nor any later, shows a URL or a secret: only the
 * variable's name.
 */
import { ConfigError } from '../domain/config-error.js';
import { closestName } from '../domain/suggest.js';

export type NotifyFormat = 'json' | 'slack';

export const NOTIFY_FORMATS: readonly NotifyFormat[] = ['json', 'slack'];

export interface NotifyChannel {
  /** Lower case, as the spec's `notify` names it. */
  readonly name: string;
  /** Never logged, never in an error message. */
  readonly url: string;
  /** Never logged; absent: deliveries go unsigned. */
  readonly secret?: string;
  readonly format: NotifyFormat;
}

/** The channels a worker defines, by name. */
export type NotifyChannels = ReadonlyMap<string, NotifyChannel>;

export const NOTIFY_ENV_PREFIX = 'FLEET_NOTIFY_';

/** The variables, as patterns: `<NAME>` is the channel's name in upper case. */
export const NOTIFY_ENV_VARS = [
  'FLEET_NOTIFY_<NAME>_URL',
  'FLEET_NOTIFY_<NAME>_SECRET',
  'FLEET_NOTIFY_<NAME>_FORMAT',
] as const;

/** The variable that defines channel `name`, for messages that tell an operator what to set. */
export const urlVariableOf = (name: string): string => `${NOTIFY_ENV_PREFIX}${name.toUpperCase()}_URL`;

const SETTING = /^(.*)_(URL|SECRET|FORMAT)$/;

/** `; did you mean FLEET_NOTIFY_OPS_URL? (use …)` for `FLEET_NOTIFY_OPS_URLS`: the setting it most likely meant. */
function settingGuess(variable: string): string {
  const use = `use ${NOTIFY_ENV_VARS.join(', ')}`;
  const at = variable.lastIndexOf('_');
  const guess =
    at > NOTIFY_ENV_PREFIX.length ? closestName(variable.slice(at + 1), ['URL', 'SECRET', 'FORMAT']) : undefined;
  return guess ? `; did you mean ${variable.slice(0, at + 1)}${guess}? (${use})` : `: ${use}`;
}
const ENV_NAME = /^[A-Z0-9][A-Z0-9_]{0,39}$/;

/** A notification setting that cannot be used; always names the variable to fix. */
export class NotifyConfigError extends ConfigError {
  constructor(
    message: string,
    override readonly variable: string,
  ) {
    super(message, variable);
  }
}

/**
 * Every channel the environment defines. Throws NotifyConfigError naming the first bad
 * variable (sorted by name, so the same environment always names the same one). An
 * empty value counts as unset, as for the worker's other variables.
 */
export function notifyChannelsFromEnv(env: NodeJS.ProcessEnv = process.env): NotifyChannels {
  const settings = new Map<string, { url?: string; secret?: string; format?: string }>();
  for (const variable of Object.keys(env).sort()) {
    if (!variable.startsWith(NOTIFY_ENV_PREFIX)) continue;
    const value = env[variable]?.trim();
    if (!value) continue;
    const match = SETTING.exec(variable.slice(NOTIFY_ENV_PREFIX.length));
    if (!match)
      throw new NotifyConfigError(`${variable} is not a notification setting${settingGuess(variable)}`, variable);
    const [, name = '', setting] = match;
    if (!ENV_NAME.test(name)) {
      const rule = 'must be 1-40 upper-case letters, digits or _ (FLEET_NOTIFY_OPS_URL defines channel "ops")';
      throw new NotifyConfigError(`${variable}: the channel name ${JSON.stringify(name)} ${rule}`, variable);
    }
    const entry = settings.get(name) ?? {};
    settings.set(name, { ...entry, [setting!.toLowerCase()]: value });
  }
  const channels = new Map<string, NotifyChannel>();
  for (const [name, entry] of settings) channels.set(name.toLowerCase(), channelOf(name, entry));
  return channels;
}

function channelOf(name: string, entry: { url?: string; secret?: string; format?: string }): NotifyChannel {
  const variable = (setting: string) => `${NOTIFY_ENV_PREFIX}${name}_${setting}`;
  if (entry.url === undefined) {
    const set = entry.secret !== undefined ? variable('SECRET') : variable('FORMAT');
    throw new NotifyConfigError(
      `${set} is set but ${variable('URL')} is not: set the channel's URL, or unset ${set}`,
      variable('URL'),
    );
  }
  if (!isHttpUrl(entry.url)) {
    // The value is not shown: a webhook URL carries its own credential.
    throw new NotifyConfigError(
      `${variable('URL')} must be an http:// or https:// URL (its value is not shown: webhook URLs are secrets)`,
      variable('URL'),
    );
  }
  const format = (entry.format ?? 'json').toLowerCase();
  if (!NOTIFY_FORMATS.includes(format as NotifyFormat)) {
    throw new NotifyConfigError(
      `${variable('FORMAT')} must be ${NOTIFY_FORMATS.join(' or ')}, got ${JSON.stringify(entry.format)}`,
      variable('FORMAT'),
    );
  }
  return {
    name: name.toLowerCase(),
    url: entry.url,
    ...(entry.secret !== undefined ? { secret: entry.secret } : {}),
    format: format as NotifyFormat,
  };
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
