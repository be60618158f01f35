#!/usr/bin/env node
// EHR sync: an EHR's FHIR Bulk Data export (a second embedded server stands in for the EHR, holding a synthetic
// agency) -> domain records (ingestResources) -> the program's FHIR server, in batches, idempotent and resumable. The demo interrupts the first run after two batches, resumes from the checkpoint, then
// runs everything again from scratch to show that nothing is created twice.
// Target: the embedded FHIR server, or FHIR_URL (e.g. FHIR_URL=http://localhost:8080/fhir).
// Uses only the public API of @peer-fhir/client and @peer-fhir/testing.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ingestResources, PeerClient, PeerFhirClient } from '@peer-fhir/client';
import { generateAgency, startFhirServer } from '@peer-fhir/testing';
import { readExport, sync } from './sync.mjs';

const out = (f) => fileURLToPath(new URL(`./out/${f}`, import.meta.url));
const line = (label, value) => console.log(`  ${label.padEnd(34)} ${value}`);
const server = process.env.FHIR_URL ? undefined : await startFhirServer({ validate: true });
const baseUrl = process.env.FHIR_URL ?? server.url;
// Identifiers are minted under this prefix per agency (its organization NPI): agencies sharing a server never meet.
// The EHR: its own server and identifier namespace. Its Bulk Data export is what the sync reads.
const ehr = await startFhirServer();
const EHR_NAMESPACE = 'https://ehr.example/ids';

/** Put the agency in the EHR, then read it back out with a Bulk Data export and ingest it into domain records. */
async function exportFromEhr(agency) {
  ehr.reset();
  const inEhr = new PeerClient(new PeerFhirClient({ baseUrl: ehr.url }), { agency: agency.organization.npi, namespace: EHR_NAMESPACE });
  await inEhr.recordEncounters(agency.encounters, { organizations: [agency.organization], specialists: agency.specialists, participants: agency.participants });
  const job = await new PeerFhirClient({ baseUrl: ehr.url }).bulkExport();
  try {
    const { records, rejects, read } = await ingestResources(job.resources(), { agency: agency.organization.npi, namespace: EHR_NAMESPACE });
    if (rejects.length) throw new Error(`${rejects.length} exported resources could not be read (first: ${rejects[0].resourceType} ${rejects[0].path} ${rejects[0].code})`);
    return { records, read, files: job.manifest.output.length };
  } finally {
    await job.delete();
  }
}

/** The export as the batch sync reads it: encounters as NDJSON, the roster as JSON. */
async function writeExport(records, encountersFile, rosterFile) {
  await writeFile(out(encountersFile), records.encounters.map((e) => JSON.stringify(e)).join('\n') + '\n');
  await writeFile(out(rosterFile), JSON.stringify({ organization: records.organizations[0], specialists: records.specialists, participants: records.participants }, null, 2));
  return readExport(out(encountersFile), out(rosterFile));
}

const newPeer = (agency) => new PeerClient(new PeerFhirClient({ baseUrl }), { agency: agency.organization.npi, namespace: 'https://peer-fhir.org/examples/ehr-sync' });

try {
  const started = performance.now();
  // 1. The EHR's Bulk Data export ($export, NDJSON per type), ingested into encounters and the roster they refer to.
  const agency = generateAgency({ seed: 21, months: 1, participants: 12, state: 'NC' });
  await mkdir(out(''), { recursive: true });
  const exported = await exportFromEhr(agency);
  const input = await writeExport(exported.records, 'encounters.ndjson', 'roster.json');
  if (input.encounters.length !== agency.encounters.length) throw new Error('the bulk export lost encounters');
  const checkpointPath = out('checkpoint.json');
  await rm(checkpointPath, { force: true });

  console.log(`\npeer-fhir EHR sync — FHIR server at ${baseUrl}\n`);
  line('EHR bulk export', `${exported.read} resources in ${exported.files} NDJSON files -> ${input.encounters.length} encounters, ${input.roster.participants.length} participants`);

  // 2. First run, interrupted after two batches (as if the process had died).
  const a = await sync(newPeer(agency), input, { checkpointPath, stopAfterBatches: 2 });
  line('run 1 (interrupted)', `${a.batches}/${a.totalBatches} batches, ${a.created} created — checkpoint at batch ${a.resumedAt + a.batches}`);
  // 3. Second run: continues after the last completed batch.
  const b = await sync(newPeer(agency), input, { checkpointPath });
  line('run 2 (resumed)', `started at batch ${b.resumedAt + 1}, ${b.batches} batches, ${b.created} created, ${b.unchanged} unchanged, ${b.conflict} conflict`);
  if (b.resumedAt !== a.batches || a.created + b.created !== input.encounters.length) throw new Error('the resumed run did not continue where the first stopped');
  // 4. Third run from scratch (checkpoint deleted): every write is conditional, so nothing new.
  await rm(checkpointPath, { force: true });
  const c = await sync(newPeer(agency), input, { checkpointPath });
  line('run 3 (from scratch, same export)', `${c.batches} batches, ${c.created} created, ${c.unchanged} unchanged, ${c.conflict} conflict`);
  if (c.created !== 0) throw new Error('the re-run created resources: the sync is not idempotent');

  // 5. A second agency (another state, another NPI) with the same local ids syncs to the same server.
  const other = generateAgency({ seed: 22, months: 1, participants: 12, state: 'TX' });
  const otherInput = await writeExport((await exportFromEhr(other)).records, 'encounters-tx.ndjson', 'roster-tx.json');
  await rm(checkpointPath, { force: true });
  const d = await sync(newPeer(other), otherInput, { checkpointPath });
  const shared = otherInput.encounters.filter((e) => input.encounters.some((x) => x.id === e.id)).length;
  line('second agency (TX, same local ids)', `${d.created} created, ${d.unchanged} unchanged, ${d.conflict} conflict (${shared} encounter ids shared with NC)`);
  if (d.created !== otherInput.encounters.length) throw new Error('the second agency\'s encounters were taken for the first one\'s');

  // 6. Each agency reads back exactly its own encounters, on its own participants.
  for (const [name, ag, inp] of [['NC', agency, input], ['TX', other, otherInput]]) {
    let n = 0;
    for await (const e of newPeer(ag).findEncounters({})) {
      if (e.organizationNpi !== ag.organization.npi) throw new Error(`${name}: read an encounter of another agency`);
      n++;
    }
    line(`${name} encounters read back`, `${n} of ${inp.encounters.length}`);
    if (n !== inp.encounters.length) throw new Error(`${name}: read ${n} encounters, wrote ${inp.encounters.length}`);
  }
  const patients = await new PeerFhirClient({ baseUrl }).search('Patient', { _summary: 'count' });
  line('Patient resources on the server', `${patients.total} (NC ${input.roster.participants.length} + TX ${otherInput.roster.participants.length})`);
  if (patients.total !== input.roster.participants.length + otherInput.roster.participants.length) throw new Error('participants of the two agencies were merged');
  console.log(`\nEHR sync OK: ${input.encounters.length} + ${otherInput.encounters.length} encounters of two agencies synced apart, re-run created 0, in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`);
} catch (err) {
  console.error(`EHR sync failed: ${err instanceof Error ? err.stack : err}`);
  process.exitCode = 1;
} finally {
  await server?.close();
  await ehr.close();
}
