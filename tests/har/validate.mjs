// Validates HAR files against the HAR 1.2 JSON schema (har-schema, through har-validator).
// Usage: node tests/har/validate.mjs FILE.har...   Exit 0 when every file is valid, 1 otherwise,
// with each schema violation printed. Used by crates/store/tests/har.rs.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const validator = require('har-validator');

let failed = 0;
for (const file of process.argv.slice(2)) {
  try {
    await validator.har(JSON.parse(readFileSync(file, 'utf8')));
    console.log(`valid HAR 1.2: ${file}`);
  } catch (e) {
    failed += 1;
    console.error(`invalid HAR: ${file}\n${JSON.stringify(e.errors ?? e.message, null, 2)}`);
  }
}
process.exit(failed ? 1 : 0);
