/**
 * The spec's `notify` (**contract**, see docs/spec.md "Notifications"): which of the
 * worker's channels hear which events, `[{"channel": "ops", "events": [...]}]`, every
 * event but the operators' (`operator.*`, heard only when listed) when `events` is
 * absent; a dry run tells only the entries with `"dryRun": true`.
 * The parser checks the shape and the event names; which channels exist only the worker
 * knows (`FLEET_NOTIFY_<NAME>_URL`), so the rollout asks it at planning
 * (activities/notify.ts `checkNotifyChannels`).
 */
import { z } from 'zod';
import { CHANNEL_NAME, NOTIFY_EVENT_TYPES, OPERATOR_WILDCARD, type NotifySpec } from './notify-events.js';
import { gotInstead, quote, type SpecProblem } from './spec-messages.js';

/** Entries one spec may list. */
const MAX_NOTIFY = 20;

const channelSchema = z.string().refine((name) => CHANNEL_NAME.test(name), {
  error: (issue) => {
    const name = String(issue.input);
    const lower = name.toLowerCase();
    // `OPS` is what the variable says; the spec names the channel in lower case.
    return CHANNEL_NAME.test(lower) && lower !== name
      ? `must be lower case: ${quote(lower)} (FLEET_NOTIFY_${name.toUpperCase()}_URL defines channel ${lower})`
      : `not a channel name: ${quote(name)} (1-40 lower-case letters, digits or "_"; FLEET_NOTIFY_OPS_URL defines channel "ops")`;
  },
});

/** The event types, and `operator.*` for every operator event (operators' events are heard only when named). */
const EVENT_NAMES = [
  ...NOTIFY_EVENT_TYPES.filter((t) => t !== 'rollout.finished'),
  OPERATOR_WILDCARD,
  'rollout.finished',
] as const;
const eventSchema = z.enum(EVENT_NAMES, {
  error: (issue) => `must be one of ${EVENT_NAMES.join(', ')}, ${gotInstead(issue.input, EVENT_NAMES)}`,
});

const notifyEntrySchema = z
  .object({
    channel: channelSchema,
    /** Absent: every event. */
    events: z.array(eventSchema).min(1, 'must list at least one event (omit it for every event)').optional(),
    /** `true`: the channel hears dry runs (`fleet rollout plan`) too; absent, a dry run tells it nothing. */
    dryRun: z.boolean().optional(),
  })
  .strict();

export const notifySchema = z
  .array(notifyEntrySchema)
  .min(1, 'must list at least one channel (omit it for no notifications)')
  .max(MAX_NOTIFY, {
    error: (issue) =>
      `lists ${Array.isArray(issue.input) ? issue.input.length : 'too many'} channels; at most ${MAX_NOTIFY} allowed`,
  });

/** Fields of a `notify` entry, for "did you mean" on an unknown one. */
export const NOTIFY_KEYS: readonly string[] = Object.keys(notifyEntrySchema.shape);

/** A channel listed once, an event once per channel: a duplicate is a mistake, not a second delivery. */
export function notifyProblems(notify: unknown): SpecProblem[] {
  if (!Array.isArray(notify)) return [];
  const problems: SpecProblem[] = [];
  const channels = new Set<string>();
  notify.forEach((raw: unknown, index) => {
    if (!raw || typeof raw !== 'object') return;
    const entry = raw as Record<string, unknown>;
    if (typeof entry.channel === 'string' && CHANNEL_NAME.test(entry.channel)) {
      if (channels.has(entry.channel)) {
        problems.push({
          field: `notify[${index}].channel`,
          message: `channel ${quote(entry.channel)} is listed twice (list each channel once, with all its events)`,
        });
      }
      channels.add(entry.channel);
    }
    if (!Array.isArray(entry.events)) return;
    const events = new Set<unknown>();
    entry.events.forEach((event: unknown, i) => {
      if (typeof event === 'string' && events.has(event))
        problems.push({ field: `notify[${index}].events[${i}]`, message: `event ${quote(event)} is listed twice` });
      events.add(event);
    });
  });
  return problems;
}

/** The entries of a valid spec, as the plan keeps them. */
export const notifyPlan = (notify: z.output<typeof notifySchema>): NotifySpec[] =>
  notify.map(({ channel, events, dryRun }) => ({
    channel,
    ...(events ? { events } : {}),
    ...(dryRun ? { dryRun } : {}),
  }));
