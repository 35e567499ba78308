/**
 * The simulator's own dialects, one line each (see dialect.ts). The order is
 * `/_sim/traffic`'s; which dialect speaks a URL does not depend on it (dialects.ts).
 */
import { aetherDialect } from './aether-dialect.js';
import { avisiDialect } from './avisi-dialect.js';
import { registerDialect } from './dialect.js';

for (const dialect of [avisiDialect, aetherDialect]) registerDialect(dialect);
