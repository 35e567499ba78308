/**
 * A webhook receiver in the simulator, so tests and the demo can show notifications
 * arrive: point `FLEET_NOTIFY_<NAME>_URL` at `<simulator>/_sim/notify/<channel>`.
 * It records every delivery attempt (headers, body, what it answered), checks the
 * signature of channels whose secret it was told, and can be down for a while.
 *
 * Routes:
 * - `POST /_sim/notify/{channel}`: a delivery: 200 `{ok, duplicate}`, or the outage's status.
 * - `GET /_sim/notifications?channel=&eventId=`: `{notifications: [...]}`, every attempt, in
 *   the order answered.
 * - `DELETE /_sim/notifications`: forgets them.
 * - `PUT /_sim/notify/{channel}/outage`: `{failures?, forMs?, untilMs?, status?,
 *   retryAfterSeconds?}`: down for a while (below).
 * - `PUT /_sim/notify/{channel}/secret`: `{secret}` (or `{secret: null}`): check signatures with it.
 * - `PUT /_sim/notify/{channel}/faults`: `{maxDelayMs?, minDelayMs?, errorRate?, status?, seed?}`:
 *   a slow, flaky receiver (below).
 *
 * An outage answers `status` (503) to the next `failures` deliveries, or until `untilMs`
 * (epoch ms) or `forMs` from now, with `Retry-After: retryAfterSeconds` if given; `{}` ends it.
 * Faults hold every delivery for a random `minDelayMs`..`maxDelayMs` and answer `status`
 * (503) to a random share `errorRate` of them, drawn from `seed` in arrival order; `{}`
 * ends them. A delivery is recorded (its `seq`) when it is answered, after its delay: the
 * order a slow receiver takes notices in.
 *
 * The signature is checked here with node:crypto from the documented rule (HMAC-SHA256
 * of `<timestamp>.<raw body>`), not with the worker's code, so "signed" is proven
 * independently of the signer.
 */
import type { FastifyInstance } from 'fastify';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { SeededRandom } from './random.js';

export interface NotifyDelivery {
  readonly seq: number;
  readonly channel: string;
  /** RFC 3339, real time: when the request arrived. */
  readonly receivedAt: string;
  /**
   * RFC 3339, real time: when it was answered (later than `receivedAt` by a fault's delay);
   * always set by the receiver.
   */
  readonly answeredAt?: string;
  /** What the receiver answered. */
  readonly status: number;
  readonly eventId?: string;
  readonly timestamp?: string;
  /** `valid`/`invalid` for a channel with a secret set here (`missing`: no signature header); `unchecked` otherwise. */
  readonly signature: 'valid' | 'invalid' | 'missing' | 'unchecked';
  /** An earlier delivery of this event to this channel was answered 2xx. */
  readonly duplicate: boolean;
  readonly contentType?: string;
  readonly userAgent?: string;
  /** The body, parsed when it is JSON. */
  readonly body: unknown;
}

interface Outage {
  failures?: number;
  untilMs?: number;
  status: number;
  retryAfterSeconds?: number;
}

const outageBody = z
  .object({
    failures: z.number().int().min(0).optional(),
    forMs: z.number().int().min(0).optional(),
    untilMs: z.number().int().min(0).optional(),
    status: z.number().int().min(400).max(599).default(503),
    retryAfterSeconds: z.number().int().min(0).optional(),
  })
  .strict();

const faultsBody = z
  .object({
    minDelayMs: z.number().int().min(0).max(60_000).default(0),
    maxDelayMs: z.number().int().min(0).max(60_000).default(0),
    errorRate: z.number().min(0).max(1).default(0),
    status: z.number().int().min(400).max(599).default(503),
    seed: z.number().int().default(1),
  })
  .strict()
  .refine((f) => f.minDelayMs <= f.maxDelayMs, { message: 'minDelayMs must not exceed maxDelayMs' });

interface Faults {
  readonly settings: z.output<typeof faultsBody>;
  readonly random: SeededRandom;
}

const secretBody = z.object({ secret: z.string().min(1).nullable() }).strict();

/** Attempts kept; the oldest go first (a demo may run for hours). */
const MAX_KEPT = 10_000;
/** A timestamp further than this from now does not verify. */
const TOLERANCE_SECONDS = 300;

export function registerNotifyReceiver(
  app: FastifyInstance,
  options: { secrets?: Readonly<Record<string, string>> } = {},
): void {
  const deliveries: NotifyDelivery[] = [];
  const secrets = new Map(Object.entries(options.secrets ?? {}));
  const outages = new Map<string, Outage>();
  const delivered = new Set<string>();
  const faults = new Map<string, Faults>();
  let seq = 0;

  /** This delivery's delay and whether it fails, drawn when it arrives. */
  const faultOf = (channel: string): { delayMs: number; status?: number } => {
    const f = faults.get(channel);
    if (!f) return { delayMs: 0 };
    const delayMs = f.random.int(f.settings.minDelayMs, f.settings.maxDelayMs);
    return { delayMs, ...(f.random.chance(f.settings.errorRate) ? { status: f.settings.status } : {}) };
  };

  /** The status an outage answers now, or undefined when the channel is up. */
  const outageStatus = (channel: string): Outage | undefined => {
    const outage = outages.get(channel);
    if (!outage) return undefined;
    if (outage.failures !== undefined && outage.failures > 0) {
      outage.failures--;
      return outage;
    }
    if (outage.untilMs !== undefined && Date.now() < outage.untilMs) return outage;
    outages.delete(channel);
    return undefined;
  };

  // The signature covers the raw bytes: this scope keeps bodies as strings.
  void app.register(async (scope) => {
    // fastify's own JSON parser would win over a catch-all: drop it in this scope.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

    scope.post<{ Params: { channel: string } }>('/_sim/notify/:channel', async (request, reply) => {
      const { channel } = request.params;
      const raw = typeof request.body === 'string' ? request.body : '';
      const header = (name: string) => {
        const value = request.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      const eventId = header('x-fleetwave-event-id');
      const timestamp = header('x-fleetwave-timestamp');
      const secret = secrets.get(channel);
      const receivedAt = new Date().toISOString();
      const fault = faultOf(channel);
      if (fault.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      const outage = outageStatus(channel);
      const status = outage?.status ?? fault.status ?? 200;
      const key = `${channel}\n${eventId ?? ''}`;
      const duplicate = eventId !== undefined && delivered.has(key);
      if (status < 300 && eventId !== undefined) delivered.add(key);
      deliveries.push({
        seq: ++seq,
        channel,
        receivedAt,
        answeredAt: new Date().toISOString(),
        status,
        ...(eventId !== undefined ? { eventId } : {}),
        ...(timestamp !== undefined ? { timestamp } : {}),
        signature: secret === undefined ? 'unchecked' : verify(secret, timestamp, header('x-fleetwave-signature'), raw),
        duplicate,
        ...(header('content-type') ? { contentType: header('content-type') } : {}),
        ...(header('user-agent') ? { userAgent: header('user-agent') } : {}),
        body: parseJson(raw),
      });
      if (deliveries.length > MAX_KEPT) deliveries.splice(0, deliveries.length - MAX_KEPT);
      if (outage) {
        if (outage.retryAfterSeconds !== undefined) void reply.header('retry-after', String(outage.retryAfterSeconds));
        return reply.code(status).send({ error: `channel ${channel} is down (simulated outage)` });
      }
      if (status >= 300)
        return reply.code(status).send({ error: `channel ${channel} failed this delivery (simulated fault)` });
      return { ok: true, duplicate };
    });
  });

  app.get<{ Querystring: { channel?: string; eventId?: string } }>('/_sim/notifications', async (request) => ({
    notifications: deliveries.filter(
      (d) =>
        (!request.query.channel || d.channel === request.query.channel) &&
        (!request.query.eventId || d.eventId === request.query.eventId),
    ),
  }));

  app.delete('/_sim/notifications', async (_request, reply) => {
    deliveries.length = 0;
    delivered.clear();
    return reply.code(204).send();
  });

  app.put<{ Params: { channel: string } }>('/_sim/notify/:channel/outage', async (request, reply) => {
    const parsed = outageBody.safeParse(request.body ?? {});
    if (!parsed.success)
      return reply
        .code(400)
        .send({ error: parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ') });
    const { failures, forMs, untilMs, status, retryAfterSeconds } = parsed.data;
    const until = untilMs ?? (forMs !== undefined ? Date.now() + forMs : undefined);
    if (failures === undefined && until === undefined) {
      outages.delete(request.params.channel);
      return { channel: request.params.channel, outage: null };
    }
    const outage: Outage = {
      status,
      ...(failures !== undefined ? { failures } : {}),
      ...(until !== undefined ? { untilMs: until } : {}),
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    };
    outages.set(request.params.channel, outage);
    return { channel: request.params.channel, outage };
  });

  app.put<{ Params: { channel: string } }>('/_sim/notify/:channel/faults', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const parsed = faultsBody.safeParse(body);
    if (!parsed.success)
      return reply
        .code(400)
        .send({ error: parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ') });
    const { channel } = request.params;
    if (Object.keys(body).length === 0) {
      faults.delete(channel);
      return { channel, faults: null };
    }
    faults.set(channel, { settings: parsed.data, random: new SeededRandom(parsed.data.seed) });
    return { channel, faults: parsed.data };
  });

  app.put<{ Params: { channel: string } }>('/_sim/notify/:channel/secret', async (request, reply) => {
    const parsed = secretBody.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ error: 'body must be {"secret": "..."} or {"secret": null}' });
    if (parsed.data.secret === null) secrets.delete(request.params.channel);
    else secrets.set(request.params.channel, parsed.data.secret);
    // Never echo the secret back.
    return { channel: request.params.channel, verifying: parsed.data.secret !== null };
  });
}

function verify(
  secret: string,
  timestamp: string | undefined,
  signature: string | undefined,
  raw: string,
): NotifyDelivery['signature'] {
  if (!signature) return 'missing';
  if (!timestamp || !/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS)
    return 'invalid';
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${raw}`).digest('hex')}`);
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? 'valid' : 'invalid';
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
