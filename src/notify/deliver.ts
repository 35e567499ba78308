/**
 * One delivery attempt: POST the formatted event to the channel's URL with got, and say
 * whether a failure is worth retrying. The retrying itself is Temporal's (the activity's
 * retry policy in the `notifyQueue` workflow), so got retries nothing here.
 *
 * - 2xx: delivered.
 * - 408, 429, 5xx, timeouts, network errors: retryable; a `Retry-After` is honoured up
 *   to `maxRetryAfterMs`.
 * - Redirects and other 4xx: final. A redirect is not followed: the signed body would go
 *   to an address nobody configured.
 *
 * Nothing got built leaves this module: its errors carry the request options (the URL,
 * the signature). Errors are rebuilt from the facts that help (the channel's name, the
 * status, a clip of the receiver's answer with the URL and secret cut out).
 */
import { got, RequestError, TimeoutError } from 'got';
import type { NotifyEvent } from '../domain/notify-events.js';
import { parseRetryAfter } from '../platforms/http.js';
import { urlVariableOf, type NotifyChannel } from './channels.js';
import { formatNotification } from './format.js';
import { deliveryHeaders } from './sign.js';

export interface DeliveryOptions {
  /** One attempt, from connecting to the last byte of the answer. @default 10_000 */
  readonly timeoutMs?: number;
  /**
   * The longest `Retry-After` honoured; a receiver asking for more is retried after this.
   * @default 300_000 (5 minutes)
   */
  readonly maxRetryAfterMs?: number;
  /** The activity's cancellation: an aborted attempt throws the signal's reason. */
  readonly signal?: AbortSignal;
  /** The clock the timestamp header is read from (tests). @default Date.now */
  readonly now?: () => number;
}

export const DEFAULT_NOTIFY_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_RETRY_AFTER_MS = 5 * 60_000;

/** The receiver's answer, as much of it as an error message shows. */
const MAX_ANSWER = 200;

export interface Delivered {
  readonly status: number;
}

export class NotifyDeliveryError extends Error {
  readonly channel: string;
  readonly retryable: boolean;
  /** The receiver's status, when it answered. */
  readonly status?: number;
  /** `http`, `timeout` or `network`. */
  readonly kind: 'http' | 'timeout' | 'network';
  /** How long the receiver asked to wait (`Retry-After`, bounded). */
  readonly retryAfterMs?: number;

  constructor(init: {
    channel: string;
    retryable: boolean;
    kind: NotifyDeliveryError['kind'];
    what: string;
    status?: number;
    retryAfterMs?: number;
  }) {
    super(`notification channel ${JSON.stringify(init.channel)}: ${init.what}`);
    this.name = 'NotifyDeliveryError';
    this.channel = init.channel;
    this.retryable = init.retryable;
    this.kind = init.kind;
    if (init.status !== undefined) this.status = init.status;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }
}

/** Sends `event` to `channel` once. Resolves when the receiver took it; throws NotifyDeliveryError otherwise. */
export async function deliverOnce(
  channel: NotifyChannel,
  event: NotifyEvent,
  options: DeliveryOptions = {},
): Promise<Delivered> {
  const body = formatNotification(event, channel.format);
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'fleetwave-notify',
    ...deliveryHeaders(event.id, body, channel.secret, (options.now ?? Date.now)()),
  };
  const timeoutMs = options.timeoutMs ?? DEFAULT_NOTIFY_TIMEOUT_MS;
  const fail = (init: Omit<ConstructorParameters<typeof NotifyDeliveryError>[0], 'channel'>) =>
    new NotifyDeliveryError({ channel: channel.name, ...init });
  let response;
  try {
    response = await got.post(channel.url, {
      body,
      headers,
      timeout: { request: timeoutMs },
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (error instanceof TimeoutError)
      throw fail({ retryable: true, kind: 'timeout', what: `no answer within ${timeoutMs} ms` });
    // The code only: got's message names the address.
    const code = error instanceof RequestError ? error.code : undefined;
    throw fail({ retryable: true, kind: 'network', what: `could not reach the receiver (${code ?? 'network error'})` });
  }
  const status = response.statusCode;
  if (status >= 200 && status < 300) return { status };
  const answer = clipAnswer(response.body, channel);
  const said = `the receiver answered ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}${answer ? `: ${answer}` : ''}`;
  if (status === 408 || status === 429 || status >= 500) {
    const asked = parseRetryAfter(response.headers['retry-after']);
    const retryAfterMs =
      asked !== undefined && asked > 0
        ? Math.min(asked, options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS)
        : undefined;
    throw fail({
      retryable: true,
      kind: 'http',
      status,
      what: said,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  const hint =
    status >= 300 && status < 400
      ? `; redirects are not followed: point ${urlVariableOf(channel.name)} at the final address`
      : '';
  throw fail({ retryable: false, kind: 'http', status, what: `${said}${hint}` });
}

/** Parts of a URL this long or longer are cut out of an answer on their own too: a webhook's token is one of them. */
const MIN_URL_PART = 8;

/**
 * The start of the receiver's answer, on one line, without the channel's URL or secret
 * should it echo them, nor any part of the URL that may be its credential (a path
 * segment, a query value, a user or password), as written or decoded: a receiver that
 * names back only the token (`no hook T0123/abcd...`) must not put it in a history or a log.
 */
function clipAnswer(body: unknown, channel: NotifyChannel): string {
  let text = typeof body === 'string' ? body : '';
  const url = new URL(channel.url);
  const decoded = (part: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  };
  const parts = [
    ...url.pathname.split('/'),
    ...url.search
      .slice(1)
      .split('&')
      .map((pair) => pair.slice(pair.indexOf('=') + 1)),
    url.username,
    url.password,
  ]
    .flatMap((part) => [part, decoded(part)])
    .filter((part) => part.length >= MIN_URL_PART);
  const secrets = [channel.url, url.pathname.length > 1 ? url.pathname : '', url.search, channel.secret ?? ''].filter(
    (s) => s.length >= 4,
  );
  // Longest first, so a whole is cut before a part of it.
  for (const secret of [...new Set([...secrets, ...parts])].sort((a, b) => b.length - a.length))
    text = text.split(secret).join('[redacted]');
  text = text.replace(/\s+/g, ' ').trim();
  return text.length <= MAX_ANSWER ? text : `${text.slice(0, MAX_ANSWER - 1)}…`;
}
