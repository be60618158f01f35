#!/usr/bin/env node
// EHR sync: an EHR's encounter export (NDJSON, written here from a synthetic agency) -> the FHIR server, in batches,
// idempotent and resumable. The demo interrupts the first run after two batches, resumes from the checkpoint, then
// runs everything again from scratch to show that nothing is created twice.
// Target: the embedded FHIR server, or FHIR_URL (e.g. FHIR_URL=http://localhost:8080/fhir).
// Uses only the public API of @peer-fhir/client and @peer-fhir/testing.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PeerClient, PeerFhirClient } from '@peer-fhir/client';
import { generateAgency, startFhirServer } from '@peer-fhir/testing';
import { readExport, sync } from './sync.mjs';

const out = (f) => fileURLToPath(new URL(`./out/${f}`, import.meta.url));
const line = (label, value) => console.log(`  ${label.padEnd(34)} ${value}`);
const server = process.env.FHIR_URL ? undefined : await startFhirServer({ validate: true });
const baseUrl = process.env.FHIR_URL ?? server.url;
const newPeer = () => new PeerClient(new PeerFhirClient({ baseUrl }), { namespace: 'https://peer-fhir.org/examples/ehr-sync' });

try {
  const started = performance.now();
  // 1. The EHR export: one encounter per NDJSON line, plus the roster it refers to.
  const agency = generateAgency({ seed: 21, months: 1, participants: 12, state: 'NC' });
  await mkdir(out(''), { recursive: true });
  await writeFile(out('encounters.ndjson'), agency.encounters.map((e) => JSON.stringify(e)).join('\n') + '\n');
  await writeFile(out('roster.json'), JSON.stringify({ organization: agency.organization, specialists: agency.specialists, participants: agency.participants }, null, 2));
  const input = await readExport(out('encounters.ndjson'), out('roster.json'));
  const checkpointPath = out('checkpoint.json');
  await rm(checkpointPath, { force: true });

  console.log(`\npeer-fhir EHR sync — FHIR server at ${baseUrl}\n`);
  line('export', `${input.encounters.length} encounters, ${input.roster.participants.length} participants (out/encounters.ndjson)`);

  // 2. First run, interrupted after two batches (as if the process had died).
  const a = await sync(newPeer(), input, { checkpointPath, stopAfterBatches: 2 });
  line('run 1 (interrupted)', `${a.batches}/${a.totalBatches} batches, ${a.created} created — checkpoint at batch ${a.resumedAt + a.batches}`);
  // 3. Second run: continues after the last completed batch.
  const b = await sync(newPeer(), input, { checkpointPath });
  line('run 2 (resumed)', `started at batch ${b.resumedAt + 1}, ${b.batches} batches, ${b.created} created, ${b.existing} already there`);
  if (b.resumedAt !== a.batches || a.created + b.created !== input.encounters.length) throw new Error('the resumed run did not continue where the first stopped');
  // 4. Third run from scratch (checkpoint deleted): every write is conditional, so nothing new.
  await rm(checkpointPath, { force: true });
  const c = await sync(newPeer(), input, { checkpointPath });
  line('run 3 (from scratch, same export)', `${c.batches} batches, ${c.created} created, ${c.existing} already there`);
  if (c.created !== 0) throw new Error('the re-run created resources: the sync is not idempotent');

  const onServer = await new PeerFhirClient({ baseUrl }).search('Encounter', { _summary: 'count' });
  line('Encounter resources on the server', `${onServer.total} (group sessions: one per session + one per attendee)`);
  console.log(`\nEHR sync OK: ${input.encounters.length} encounters synced, re-run created 0, in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`);
} catch (err) {
  console.error(`EHR sync failed: ${err instanceof Error ? err.stack : err}`);
  process.exitCode = 1;
} finally {
  await server?.close();
}
