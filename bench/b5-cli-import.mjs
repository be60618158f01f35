// B5: `peer-fhir import` of a 100k-row CSV into the embedded server (rows/s, peak RSS at 10k vs 100k).
// Pending: it needs packages/cli (the `peer-fhir import` command), which is being built. Not faked.
import { existsSync, readFileSync } from 'node:fs';
import { report, ROOT } from './lib.mjs';

const bin = `${ROOT}packages/cli/dist/bin.js`;
const ready = existsSync(bin) && /\bimport\b/.test(readFileSync(bin, 'utf8'));
report({
  id: 'B5',
  what: ready ? 'peer-fhir import: CLI found, benchmark not written yet' : 'peer-fhir import of a 100k-row CSV: pending (packages/cli has no built `import` command yet)',
  pending: true,
  target: 'rows/s; peak RSS flat from 10k to 100k',
});
