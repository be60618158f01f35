// Acceptance (issue 15, 2): every US Core must-support element of the profiles peer-fhir claims is populated when the
// input has it, or listed in docs/mapping.md ("US Core must-support elements not populated") with the reason.
import { readFileSync } from 'node:fs';
import type { Bundle, Resource } from 'fhir/r4.js';
import fhirpath from 'fhirpath';
import r4model from 'fhirpath/fhir-context/r4';
import { describe, expect, it } from 'vitest';
import { instrumentResponseBundle, getInstrument, referralBundle, toFhir } from '@peer-fhir/core';
import { AGENCY_NPI, allRecords, organization, participant, part2Consent, specialist } from '../../packages/core/test/fixtures.js';
import { readFhirPackage } from '../support/fhir-package.js';

const US_CORE = 'http://hl7.org/fhir/us/core/StructureDefinition/';

/** Resources built from inputs that have every optional field peer-fhir maps. */
function fullSample(): Resource[] {
  const records = allRecords();
  const where = { id: 'loc-downtown', name: 'Downtown drop-in center', address: { line: ['12 Elm St'], city: 'Durham', state: 'NC', postalCode: '27701' } };
  const bundle = toFhir({
    ...records,
    encounters: records.encounters.map((e) => ({ ...e, location: where })),
    organizations: [organization({ phone: '9195550100' })],
    specialists: [specialist({ phone: '919-555-0100', email: 'sam@harbor.example.org' })],
    participants: [
      participant('p-1', { phone: '919-555-0199', email: 'j@example.org', language: 'es', race: { categories: ['2106-3'], text: 'White' }, ethnicity: { category: '2186-5', text: 'Not Hispanic or Latino' }, birthSex: 'F' }),
      participant('p-2'),
      participant('p-3'),
    ],
    consents: [part2Consent({ recipients: [{ kind: 'practitioner', name: 'Dr. Ana Ruiz', npi: '1215908876', personName: { family: 'Ruiz', given: ['Ana'] } }] })],
  });
  const barc = getInstrument('barc-10');
  const outcome = instrumentResponseBundle(
    { id: 'qr-1', instrumentId: 'barc-10', participantId: 'p-1', encounterId: 'enc-1', administeredByNpi: '1245319599', authored: '2025-03-01T10:00:00-05:00', answers: Object.fromEntries(barc.items.map((i) => [i.linkId, 4])) },
    { agency: AGENCY_NPI, existing: (k) => (k.resourceType === 'Patient' ? 'Patient/1' : undefined) },
  );
  const referral = referralBundle({ id: 'ref-1', participantId: 'p-1', direction: 'into-peer-services', category: 'peer-support', requester: { npi: '1003000126', kind: 'practitioner' }, performer: { name: 'Harbor Peer Agency', npi: '1234567893' }, reason: 'Early recovery', status: 'requested', authoredOn: '2025-02-01T09:00:00-05:00' }, { agency: AGENCY_NPI });
  return [bundle, outcome, referral].flatMap((b: Bundle) => (b.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : [])));
}

/** Rows of the table under the "US Core must-support elements not populated" heading: `profile id` + `element id`. */
function documentedGaps(): Set<string> {
  const md = readFileSync(new URL('../../docs/mapping.md', import.meta.url), 'utf8');
  const section = md.split(/^## US Core must-support elements not populated$/m)[1]?.split(/^## /m)[0] ?? '';
  const rows = section.split('\n').filter((l) => l.startsWith('| `'));
  return new Set(rows.map((l) => { const [, profile, element] = /^\| `([^`]+)` \| `([^`]+)`/.exec(l) ?? []; return `${profile} ${element}`; }));
}

/** FHIRPath for an element id, slices as filters on their pattern or as plain paths when they have none. */
function present(resources: Resource[], path: string): boolean {
  const expr = path.replace(/\[x\]/g, '').split('.').map((s, i) => (i === 0 ? s : `\`${s.replace(/:.*$/, '')}\``)).join('.');
  return resources.some((r) => (fhirpath.evaluate(r, `${expr}.exists()`, {}, r4model) as boolean[])[0] === true);
}

describe('US Core must-support elements', () => {
  it('are populated from the input, or listed in docs/mapping.md with why not', () => {
    const resources = fullSample();
    const claimed = new Map<string, Resource[]>();
    for (const r of resources) for (const p of r.meta?.profile ?? []) if (p.startsWith(US_CORE)) claimed.set(p, [...(claimed.get(p) ?? []), r]);
    const sds = new Map(readFhirPackage().structureDefinitions.map((sd) => [sd.url, sd]));
    const missing = new Set<string>();
    for (const [url, rs] of claimed) {
      const id = url.slice(US_CORE.length);
      for (const e of sds.get(url)!.snapshot!.element) {
        // Slices are checked through their element (a populated slice makes the element present).
        if (!e.mustSupport || !e.path.includes('.') || e.id!.includes(':')) continue;
        if (!present(rs, e.path)) missing.add(`${id} ${e.id}`);
      }
    }
    expect([...missing].sort()).toEqual([...documentedGaps()].sort());
  });
});
