/**
 * A headless Chromium for the browser test, driven by playwright-core (no browser
 * download: it uses the system's Chromium, from `apt-get install chromium`).
 */
import { findExecutable } from '../support/executables.js';
import { chromium, type Browser, type Locator } from 'playwright-core';

export const CHROMIUM_MISSING =
  'Chromium not found: install it with `apt-get install -y chromium` (as root; .ci/run does), or set CHROMIUM_PATH';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome'];

/** `CHROMIUM_PATH`, else the first Chromium on PATH; undefined when there is none. */
export const findChromium = (env: NodeJS.ProcessEnv = process.env): string | undefined =>
  findExecutable(NAMES, env.CHROMIUM_PATH, env);

export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** An error that prints as its one line (no stack): what CI shows when Chromium is missing. */
export function oneLineError(message: string): Error {
  const error = new Error(message);
  error.stack = message;
  return error;
}

/** A value as the browser draws it: its text and where it starts and ends across the page. */
export interface DrawnValue {
  readonly text: string;
  readonly left: number;
  readonly right: number;
}

interface DrawnWord extends DrawnValue {
  readonly top: number;
  /** The font size it is drawn at, in pixels. */
  readonly em: number;
}

/**
 * The line the browser draws that starts with `firstWord`, under `root` (a frame's
 * `main`), split where the eye splits it: words drawn with no gap run together into one
 * (`canarydone`, as a table with unpadded cells draws them), words a space apart make one
 * value (`1 of 1`), and a gap of an em or more (two spaces of monospace) starts the next
 * value. Read from each word's drawn box, not from the DOM's structure, so it sees what
 * an operator sees whatever markup draws it.
 */
export async function drawnLine(root: Locator, firstWord: string): Promise<DrawnValue[]> {
  const words: DrawnWord[] = await root.evaluate((main) => {
    const doc = main.ownerDocument;
    const walker = doc.createTreeWalker(main, 4 /* NodeFilter.SHOW_TEXT */);
    const found: DrawnWord[] = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const em = parseFloat(doc.defaultView.getComputedStyle(node.parentElement).fontSize);
      for (const match of (node.data as string).matchAll(/\S+/g)) {
        const range = doc.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const box = range.getBoundingClientRect();
        found.push({ text: match[0], left: box.left, right: box.right, top: box.top, em });
      }
    }
    return found;
  });
  const start = words.findIndex(
    (w, i) =>
      w.text === firstWord &&
      (i === 0 || Math.abs(words[i - 1]!.top - w.top) > w.em / 2 || words[i - 1]!.left > w.left),
  );
  if (start < 0) throw new Error(`no drawn line starts with ${firstWord}: ${words.map((w) => w.text).join(' ')}`);
  const line = words.slice(start).filter((w) => Math.abs(w.top - words[start]!.top) < w.em / 2);
  const values: DrawnValue[] = [];
  let previous: DrawnWord | undefined;
  for (const word of line.sort((a, b) => a.left - b.left)) {
    const gap = previous ? word.left - previous.right : Infinity;
    const last = values.at(-1);
    if (last && gap < word.em)
      values[values.length - 1] = {
        text: `${last.text}${gap < word.em / 10 ? '' : ' '}${word.text}`,
        left: last.left,
        right: word.right,
      };
    else values.push({ text: word.text, left: word.left, right: word.right });
    previous = word;
  }
  return values;
}
