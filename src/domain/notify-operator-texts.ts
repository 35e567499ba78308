/**
 * What notices say to and about operators: the commands that open an approval gate, quoted to
 * paste into a shell, and the words for each operator action; notify-builders.ts puts them in events.
 */
import type { EventSource, OperatorEventType } from './notify-events.js';

/** A word safe for a POSIX shell as it is, or single-quoted. */
export const shellWord = (word: string): string =>
  /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;

/** The two commands that open `wave`'s approval gate, as an operator would paste them. */
export function approveCommands(source: EventSource, wave: string): { fleet: string; temporal: string } {
  const namespace = source.namespace && source.namespace !== 'default' ? source.namespace : undefined;
  const id = shellWord(source.rolloutId);
  return {
    fleet: [
      'fleet rollout approve',
      id,
      shellWord(wave),
      ...(namespace ? ['--namespace', shellWord(namespace)] : []),
    ].join(' '),
    temporal: [
      'temporal workflow update execute',
      ...(namespace ? ['--namespace', shellWord(namespace)] : []),
      '--workflow-id',
      id,
      '--name approve --input',
      shellWord(JSON.stringify({ wave })),
    ].join(' '),
  };
}

/** How an operator event's line words the action (the target follows). */
export const OPERATOR_VERBS: Readonly<Record<OperatorEventType, string>> = {
  'operator.paused': 'paused the rollout',
  'operator.resumed': 'resumed the rollout',
  'operator.frozen': 'froze starts',
  'operator.unfrozen': 'lifted the freeze',
  'operator.skipped': 'skipped cluster',
  'operator.retried': 'retried cluster',
  'operator.approved': 'approved wave',
  'operator.aborted': 'aborted the rollout',
};
