/**
 * What a channel receives (notify/format.ts) and how it is signed (notify/sign.ts): the
 * signature against a vector computed outside this code (`openssl dgst -sha256 -hmac`),
 * and Slack messages that cannot link or mention.
 */
import { describe, expect, it } from 'vitest';
import { notifyEvents } from '../../src/domain/notify-builders.js';
import type { EventSource } from '../../src/domain/notify-events.js';
import { emptyCounts } from '../../src/domain/report.js';
import { formatNotification } from '../../src/notify/format.js';
import { deliveryHeaders, signDelivery, verifyDelivery } from '../../src/notify/sign.js';

const SOURCE: EventSource = { rolloutId: 'weekly-patch', firstRunId: 'run-1' };
const AT = '2026-03-02T09:14:05.120Z';

describe('signing', () => {
  // printf '%s' '1767225600.{"id":"evt_0123","type":"rollout.started"}' | openssl dgst -sha256 -hmac 'whsec_test_0123456789'
  const VECTOR = {
    secret: 'whsec_test_0123456789',
    timestamp: '1767225600',
    body: '{"id":"evt_0123","type":"rollout.started"}',
  };
  const SIGNATURE = 'sha256=4db4391133680384291b3aca70775de4b96dcc2ca9310259a0e700e475b4d3a8';

  it('is HMAC-SHA256 of "<timestamp>.<body>" with the secret (a known vector)', () => {
    expect(signDelivery(VECTOR.secret, VECTOR.timestamp, VECTOR.body)).toBe(SIGNATURE);
  });

  it('sends the event id, the timestamp in seconds, and the signature only with a secret', () => {
    expect(deliveryHeaders('evt_0123', VECTOR.body, VECTOR.secret, 1_767_225_600_999)).toEqual({
      'x-fleetwave-event-id': 'evt_0123',
      'x-fleetwave-timestamp': '1767225600',
      'x-fleetwave-signature': SIGNATURE,
    });
    expect(deliveryHeaders('evt_0123', VECTOR.body, undefined, 1_767_225_600_000)).toEqual({
      'x-fleetwave-event-id': 'evt_0123',
      'x-fleetwave-timestamp': '1767225600',
    });
  });

  it('verifies what it signed, and refuses another body, secret, timestamp or an old one', () => {
    const nowMs = 1_767_225_660_000;
    const headers = { timestamp: VECTOR.timestamp, signature: SIGNATURE };
    expect(verifyDelivery(VECTOR.secret, headers, VECTOR.body, { nowMs })).toBe(true);
    expect(verifyDelivery(VECTOR.secret, headers, `${VECTOR.body} `, { nowMs })).toBe(false);
    expect(verifyDelivery('whsec_other', headers, VECTOR.body, { nowMs })).toBe(false);
    expect(verifyDelivery(VECTOR.secret, { ...headers, timestamp: '1767225601' }, VECTOR.body, { nowMs })).toBe(false);
    expect(verifyDelivery(VECTOR.secret, headers, VECTOR.body, { nowMs: nowMs + 3_600_000 })).toBe(false);
    expect(verifyDelivery(VECTOR.secret, { timestamp: VECTOR.timestamp }, VECTOR.body, { nowMs })).toBe(false);
  });
});

describe('formatting', () => {
  const approval = notifyEvents.approvalNeeded(SOURCE, { wave: 'rest', timeoutAt: '2026-03-03T09:00:00Z' }, AT);

  it('json: the event as it is', () => {
    expect(JSON.parse(formatNotification(approval, 'json'))).toEqual(approval);
  });

  it('slack: the line, then the approve commands, unfurling off', () => {
    const body = JSON.parse(formatNotification(approval, 'slack')) as {
      text: string;
      unfurl_links: boolean;
      unfurl_media: boolean;
    };
    expect(body).toMatchObject({ unfurl_links: false, unfurl_media: false });
    expect(body.text.split('\n')).toEqual([
      approval.text,
      'Approve with: `fleet rollout approve weekly-patch rest`',
      `or: \`temporal workflow update execute --workflow-id weekly-patch --name approve --input '{"wave":"rest"}'\``,
      'Without approval it will abort at 2026-03-03T09:00:00Z.',
    ]);
  });

  it('slack: escapes what would link or mention', () => {
    const event = notifyEvents.clusterFailed(
      SOURCE,
      { clusterId: 'c1', name: '<!channel>', outcome: 'FAILED', reason: 'see <https://evil.example|here> & more' },
      AT,
    );
    const { text } = JSON.parse(formatNotification(event, 'slack')) as { text: string };
    expect(text).not.toMatch(/[<>]/);
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).toContain('&amp; more');
  });

  it('slack: a blocked cluster, and how to check it again', () => {
    const event = notifyEvents.clusterBlocked(
      SOURCE,
      { clusterId: 'c1', name: 'prod-1', platform: 'avisi', organisation: 'acme', reason: 'last value 1' },
      AT,
    );
    const { text } = JSON.parse(formatNotification(event, 'slack')) as { text: string };
    expect(text.split('\n')).toEqual([
      event.text,
      'Cluster prod-1 (c1) on avisi/acme: BLOCKED, not upgraded; `fleet rollout retry` runs its pre-checks again',
    ]);
  });

  it('slack: the report summary of a finished rollout', () => {
    const event = notifyEvents.rolloutFinished(
      SOURCE,
      {
        status: 'PARTIAL',
        total: 3,
        counts: { ...emptyCounts(), SUCCEEDED: 2, FAILED: 1 },
        clusters: [{ clusterId: 'c3', name: 'prod-3', outcome: 'FAILED' }],
      },
      AT,
    );
    const { text } = JSON.parse(formatNotification(event, 'slack')) as { text: string };
    expect(text.split('\n')).toEqual([
      'Rollout weekly-patch finished PARTIAL: 2 succeeded, 1 failed of 3',
      'Summary: PARTIAL: 2 succeeded, 1 failed of 3',
      '• prod-3 (c3): FAILED',
    ]);
  });
});
