/**
 * The headers of a delivery, and its signature (**contract**, docs/spec.md
 * "Verifying a delivery"):
 *
 * - `X-Fleetwave-Event-Id`: the event's `id`; the same on every attempt, so a receiver
 *   drops a delivery it has already taken (delivery is at least once).
 * - `X-Fleetwave-Timestamp`: Unix seconds when this attempt was sent.
 * - `X-Fleetwave-Signature: sha256=<hex>` (channels with a secret): HMAC-SHA256, keyed
 *   with the secret, of `<timestamp>.<raw body>`.
 *
 * The timestamp is signed with the body, not beside it: a receiver that refuses
 * timestamps older than a few minutes then also refuses a captured delivery sent again
 * later, which a signature of the body alone would let through for ever. Each retry is
 * signed afresh with its own timestamp.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const EVENT_ID_HEADER = 'x-fleetwave-event-id';
export const TIMESTAMP_HEADER = 'x-fleetwave-timestamp';
export const SIGNATURE_HEADER = 'x-fleetwave-signature';

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`. */
export function signDelivery(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The fleetwave headers of one attempt; the signature only when the channel has a secret. */
export function deliveryHeaders(
  eventId: string,
  body: string,
  secret: string | undefined,
  nowMs = Date.now(),
): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  return {
    [EVENT_ID_HEADER]: eventId,
    [TIMESTAMP_HEADER]: timestamp,
    ...(secret !== undefined ? { [SIGNATURE_HEADER]: signDelivery(secret, timestamp, body) } : {}),
  };
}

/**
 * What a receiver does (and the docs show): recompute, compare in constant time, and
 * refuse a timestamp further than `toleranceSeconds` from now.
 */
export function verifyDelivery(
  secret: string,
  headers: { timestamp?: string; signature?: string },
  body: string,
  options: { nowMs?: number; toleranceSeconds?: number } = {},
): boolean {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  const age = Math.abs((options.nowMs ?? Date.now()) / 1000 - Number(timestamp));
  if (age > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signDelivery(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
