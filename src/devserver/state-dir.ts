/** Where the project and its local state are: every install keeps to `.fleetwave/` (git-ignored). */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Where project-local state lives (the CLI install, Go's caches, the demo's database). */
export const STATE_DIR = join(PROJECT_ROOT, '.fleetwave');
