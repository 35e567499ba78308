/**
 * Nimbus's line in src/platforms/registry.ts, for this test only. Pure (workflow code
 * imports it through workflows.ts); imported first, before anything reads the registry.
 */
import { registerPlatform } from '../../../src/platforms/registry.js';
import { nimbus } from './descriptor.js';

registerPlatform(nimbus);
