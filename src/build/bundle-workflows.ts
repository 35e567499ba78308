/**
 * `npm run bundle [-- <file>]`: prebuilds the workflow bundle that a production worker
 * loads through `FLEET_WORKFLOW_BUNDLE` (default `dist/workflows.bundle.js`, relative to
 * the directory it runs in: npm runs scripts in the package root).
 */
import { resolve } from 'node:path';
import { DEFAULT_WORKFLOW_BUNDLE_FILE, writeWorkflowBundle } from '../workflow-bundle.js';

const outFile = resolve(process.argv[2] ?? DEFAULT_WORKFLOW_BUNDLE_FILE);
const bytes = await writeWorkflowBundle(outFile);
console.log(`workflow bundle written to ${outFile} (${Math.ceil(bytes / 1024)} KiB)`);
