/**
 * How a rejection echoes a value. Its own module, without spec-messages.ts's imports,
 * because platform descriptors (which workflow code imports) word their organisation
 * problems with it too.
 */

const MAX_QUOTED = 60;

/** A value as JSON, cut short at MAX_QUOTED characters: rejections echo what was given without echoing megabytes. */
export function quote(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
}
