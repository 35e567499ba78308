/**
 * Where the workflow code lives, and how it becomes the one JavaScript file a worker
 * runs. In development (tsx) the workflows are `src/workflows/index.ts`; in the built
 * package they are `dist/workflows/index.js`, so the path takes this module's own
 * extension. A production worker loads a bundle prebuilt by `npm run build`
 * (`FLEET_WORKFLOW_BUNDLE`) instead of bundling at every start: faster, and the code it
 * runs is the code that was built and tested.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@temporalio/common';
import { bundleWorkflowCode } from '@temporalio/worker';

const ownExtension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/** The workflows' entry point, for `bundleWorkflowCode` and `Worker.create({ workflowsPath })`. */
export const WORKFLOWS_PATH = fileURLToPath(new URL(`./workflows/index${ownExtension}`, import.meta.url));

/** Where `npm run build` writes the prebuilt bundle, relative to the package root. */
export const DEFAULT_WORKFLOW_BUNDLE_FILE = 'dist/workflows.bundle.js';

/** Bundles the workflows into `outFile` (directories created) and returns its size in bytes. */
export async function writeWorkflowBundle(outFile: string): Promise<number> {
  // The bundler's own progress lines are noise in a build log; its errors still throw.
  const quiet: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quiet });
  await mkdir(dirname(outFile), { recursive: true });
  await writeFile(outFile, code);
  return Buffer.byteLength(code);
}
