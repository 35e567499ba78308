/**
 * The body a channel receives, by its format:
 * - `json`: the event as it is (domain/notify-events.ts, the **contract**).
 * - `slack`: an incoming-webhook message, `{"text": ...}`: the event's line, then a few
 *   lines of what matters for its type (the approve commands, the report's summary).
 *   Link-free: nothing here is a link, Slack's `<...>` markup is escaped, and unfurling
 *   is off, so a cluster name or reason can never turn into a link or a mention.
 */
import { countsLine } from '../domain/notify-builders.js';
import type { NotifyEvent } from '../domain/notify-events.js';
import type { NotifyFormat } from './channels.js';

/** The raw body to send (and to sign). */
export function formatNotification(event: NotifyEvent, format: NotifyFormat): string {
  if (format === 'json') return JSON.stringify(event);
  const text = [escapeSlack(event.text), ...detailLines(event).map(escapeSlack)].join('\n');
  return JSON.stringify({ text, unfurl_links: false, unfurl_media: false });
}

/** Slack's three control characters in message text (https://api.slack.com/reference/surfaces/formatting#escaping). */
export const escapeSlack = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** What a reader needs beyond the event's line, by type. */
function detailLines(event: NotifyEvent): string[] {
  switch (event.type) {
    case 'approval.needed':
      return [
        `Approve with: \`${event.commands.fleet}\``,
        `or: \`${event.commands.temporal}\``,
        ...(event.timeoutAt ? [`Without approval it will ${event.onTimeout ?? 'abort'} at ${event.timeoutAt}.`] : []),
      ];
    case 'rollout.finished':
      return [`Summary: ${event.summary}`, ...event.failed.map((c) => `• ${c.name} (${c.clusterId}): ${c.outcome}`)];
    case 'wave.done':
      return [`Wave ${event.wave}: ${countsLine(event.counts, event.total)}`];
    case 'cluster.blocked':
      return [
        `Cluster ${event.name} (${event.clusterId})${event.platform ? ` on ${event.platform}/${event.organisation ?? '?'}` : ''}: BLOCKED, not upgraded; \`fleet rollout retry\` runs its pre-checks again`,
      ];
    case 'cluster.failed':
      return [
        `Cluster ${event.name} (${event.clusterId})${event.platform ? ` on ${event.platform}/${event.organisation ?? '?'}` : ''}: ${event.outcome}`,
      ];
    case 'rollout.started':
      return [
        `Target ${event.targetVersion} on ${event.targets.map((t) => `${t.platform}/${t.organisation}`).join(', ')}; waves: ${event.waves.join(', ')}`,
      ];
    default:
      return [];
  }
}
