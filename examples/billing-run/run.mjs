#!/usr/bin/env node
// Billing run: a month of synthetic peer-support encounters -> pre-bill edits (held with reasons, not denied later)
// -> FHIR Claims -> an X12 837P 5010 file and a Markdown hold report under out/.
// Uses only the public API of @peer-fhir/billing, @peer-fhir/x12 and @peer-fhir/testing.
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { billMonth, holdReportMarkdown } from './bill.mjs';

const outDir = fileURLToPath(new URL('./out/', import.meta.url));
const line = (label, value) => console.log(`  ${label.padEnd(30)} ${value}`);

try {
  const started = performance.now();
  const packId = process.env.PACK ?? 'nc-alliance-peer-support-2019';
  const run = billMonth({ packId });
  const { pack, agency, result, claims, text837, bundle } = run;
  if (claims.length === 0) throw new Error('no billable encounters: nothing to put on an 837P');

  await mkdir(outDir, { recursive: true });
  await writeFile(new URL('./out/claims.837', import.meta.url), text837);
  await writeFile(new URL('./out/claim-bundle.json', import.meta.url), JSON.stringify(bundle, null, 2));
  await writeFile(new URL('./out/hold-report.md', import.meta.url), holdReportMarkdown(run));

  const t = result.totals;
  const segments = text837.split('~').filter((s) => s.trim()).length;
  console.log(`\npeer-fhir billing run — rule pack ${pack.id} (${pack.state}), January 2025, synthetic agency\n`);
  line('participants / encounters', `${agency.participants.length} / ${agency.encounters.length}`);
  line('encounter x attendee items', t.items);
  line('billed / partial / held', `${t.billed} / ${t.partial} / ${t.held}`);
  line('units billed / held', `${t.billedUnits} / ${t.heldUnits}`);
  line('charge', `$${t.charge.toFixed(2)}`);
  line('claims', `${claims.length} (${result.lines.length} service lines)`);
  line('837P segments', segments);
  console.log('\nWrote:');
  for (const f of ['claims.837', 'claim-bundle.json', 'hold-report.md']) console.log(`  examples/billing-run/out/${f}`);
  console.log(`\nBilling run OK: ${claims.length} claims, ${t.held} held, in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`);
} catch (err) {
  console.error(`billing run failed: ${err instanceof Error ? err.message : err}`);
  process.exitCode = 1;
}
