/** The worker's workflow bundle with Nimbus registered first: src/workflows/index.ts, unchanged. */
import './register-platform.js';

export * from '../../../src/workflows/index.js';
