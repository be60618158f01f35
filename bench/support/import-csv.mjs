// The CLI's import CSV and config built from a synthetic agency, shared by B5 (`peer-fhir import`) and B9 (a year
// of an agency): rows come from the CLI's own synthetic row builder, so the benchmarks import what `demo` imports.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CLI_BIN, requireFrom, ROOT } from '../lib.mjs';

const cell = (v) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/**
 * Loads the CLI's synthetic row builder (`packages/cli/src/internal/synthetic-rows.ts`: TypeScript with type-only
 * imports, so its types are stripped with esbuild into `dir`) and the CLI's import columns. Returns `rowsOf(agency,
 * encounter)`, the CSV `header` line and `csvLine(row)` (one quoted CSV line, no newline).
 */
export async function importCsvWriter(dir) {
  const esbuild = requireFrom('node_modules/tsup')('esbuild');
  const src = readFileSync(`${ROOT}packages/cli/src/internal/synthetic-rows.ts`, 'utf8');
  const file = join(dir, 'synthetic-rows.mjs');
  writeFileSync(file, esbuild.transformSync(src, { loader: 'ts', format: 'esm' }).code);
  const { rowsOf } = await import(pathToFileURL(file).href);
  const { IMPORT_COLUMNS } = await import(pathToFileURL(CLI_BIN.replace(/bin\.js$/, 'index.js')).href);
  return { rowsOf, header: IMPORT_COLUMNS.join(','), csvLine: (r) => IMPORT_COLUMNS.map((c) => cell(String(r[c] ?? ''))).join(',') };
}

/** The `peer-fhir.config.json` content for importing and billing `agency` (TX pack, billing ZIP+4, its first payer). */
export function importConfig(agency) {
  const address = agency.organization.address;
  return {
    organization: { ...agency.organization, address: { ...address, postalCode: `${address.postalCode.slice(0, 5)}1234` } },
    payer: { id: agency.payers[0].payerId, name: agency.payers[0].payerName },
    pack: 'tx-medicaid-peer-specialist-2019',
    charges: { H0038: 18.5 },
  };
}
