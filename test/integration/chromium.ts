/**
 * A headless Chromium for the browser test, driven by playwright-core (no browser
 * download: it uses the system's Chromium, from `apt-get install chromium`).
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_MISSING = 'Chromium not found: install it with `apt-get install -y chromium` (as root; .ci/run does), or set CHROMIUM_PATH';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome'];

const executable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** `CHROMIUM_PATH`, else the first Chromium on PATH; undefined when there is none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.CHROMIUM_PATH) return executable(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : undefined;
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of NAMES) for (const dir of dirs) if (executable(join(dir, name))) return join(dir, name);
  return undefined;
}

export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** An error that prints as its one line (no stack): what CI shows when Chromium is missing. */
export function oneLineError(message: string): Error {
  const error = new Error(message);
  error.stack = message;
  return error;
}
