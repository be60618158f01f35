import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Bundle } from 'fhir/r4.js';
import {
  agencyNamespace,
  fromFhir,
  IdentityScopeError,
  identifierSystems,
  legacyIdentifierSystems,
  PeerFhirValidationError,
  recordKeys,
  Systems,
  toFhir,
  type DomainRecords,
} from '../src/index.js';
import { npi } from './arbitraries.js';
import { individualEncounter, organization, participant, specialist } from './fixtures.js';

/** One agency's records, all with the same local ids as any other agency's. */
function agencyRecords(agencyNpi: string, peerNpi: string): DomainRecords {
  return {
    organizations: [organization({ npi: agencyNpi })],
    specialists: [specialist({ npi: peerNpi, organizationNpi: agencyNpi })],
    participants: [participant()],
    encounters: [individualEncounter({ organizationNpi: agencyNpi, specialistNpi: peerNpi })],
  };
}

const conditionalKeys = (b: Bundle): string[] => (b.entry ?? []).map((e) => `${e.request?.url ?? ''}?${decodeURIComponent(e.request?.ifNoneExist ?? '')}`);

describe('identifiers scoped to an agency', () => {
  it('mints each system under the prefix, then the agency NPI', () => {
    expect(identifierSystems({ agency: '1234567893' }).participant).toBe('urn:peer-fhir:agency:1234567893:participant');
    expect(identifierSystems({ agency: '1234567893', namespace: 'https://ehr.example.org/ids/' }).encounter).toBe('https://ehr.example.org/ids/agency/1234567893/encounter');
    expect(agencyNamespace({ agency: '1234567893', namespace: 'urn:oid:2.16.840.1.113883.3.9' })).toBe('urn:oid:2.16.840.1.113883.3.9:agency:1234567893');
  });

  it('keeps the old unscoped systems only for migration', () => {
    expect(legacyIdentifierSystems().participant).toBe('urn:peer-fhir:default:participant');
  });

  it('refuses a missing or invalid agency NPI with a typed error that holds no value', () => {
    expect(() => identifierSystems({ agency: '' })).toThrow(IdentityScopeError);
    try {
      identifierSystems({ agency: '1234567890' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(IdentityScopeError);
      expect((e as IdentityScopeError).code).toBe('core.identity-scope');
      expect((e as Error).message).not.toContain('1234567890');
    }
  });

  it('keys agencies and practitioners by NPI (shared), everything else by the agency', () => {
    const keys = recordKeys({ agency: '1234567893' });
    expect(keys.practitioner('1245319599').system).toBe(Systems.NPI);
    expect(keys.organization('1234567893').system).toBe(Systems.NPI);
    expect(keys.participant('p-1').system).toContain('1234567893');
    expect(keys.coverage('p-1', 'NC MCD', '2025-01-01').value).toBe('p-1:NC_MCD:2025-01-01');
  });
});

describe('toFhir and fromFhir without an agency', () => {
  it('take the agency from the records when they name exactly one', () => {
    const b = toFhir(agencyRecords('1234567893', '1245319599'));
    expect(fromFhir(b).participants.map((p) => p.id)).toEqual(['p-1']);
  });

  it('refuse records that name no agency rather than fall back to a shared default', () => {
    expect(() => toFhir({ participants: [participant()] })).toThrow(IdentityScopeError);
  });

  it('refuse records of two agencies in one call', () => {
    const a = agencyRecords('1234567893', '1245319599');
    expect(() => toFhir({ ...a, encounters: [...a.encounters!, individualEncounter({ id: 'enc-2', organizationNpi: '1215908876' })] })).toThrow(IdentityScopeError);
  });

  it('refuse an encounter or specialist of another agency than the one given', () => {
    try {
      toFhir(agencyRecords('1234567893', '1245319599'), { agency: '1215908876' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PeerFhirValidationError);
      expect((e as PeerFhirValidationError).issues.map((i) => `${i.path} ${i.code}`)).toEqual(['specialists[0].organizationNpi other_agency', 'encounters[0].organizationNpi other_agency']);
    }
  });
});

describe('two agencies with the same local ids', () => {
  it('share no conditional-create key but the NPI-identified Organization and Practitioner (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(npi, { minLength: 3, maxLength: 3 }), fc.constantFrom(undefined, 'https://ehr.example.org/ids', 'urn:vendor'), ([a, b, peer], namespace) => {
        const ba = toFhir(agencyRecords(a!, peer!), { namespace });
        const bb = toFhir(agencyRecords(b!, peer!), { namespace });
        const shared = conditionalKeys(ba).filter((k) => conditionalKeys(bb).includes(k));
        // The specialist (and the supervisor) work for both agencies: one Practitioner each (NPI), a PractitionerRole
        // per agency; nothing else is shared.
        expect(shared).toContain(`Practitioner?identifier=${Systems.NPI}|${peer}`);
        for (const k of shared) expect(k.startsWith(`Practitioner?identifier=${Systems.NPI}|`)).toBe(true);
        // Read as the other agency, one agency's records hold no participant, role or encounter.
        const asOther = fromFhir(ba, { agency: b!, namespace });
        expect([asOther.participants, asOther.specialists, asOther.encounters]).toEqual([[], [], []]);
        expect(fromFhir(ba, { agency: a!, namespace }).encounters.map((e) => e.organizationNpi)).toEqual([a]);
      }),
      { numRuns: 50 },
    );
  });
});

describe('namespace prefix', () => {
  // RFC 3986: a URI holds no whitespace, control characters or any of | " < > \ ^ ` { }. A `|` would also make a
  // minted system ambiguous in FHIR token searches (system|value).
  it('refuses a namespace that is not an absolute URI, and names no part of it', () => {
    const bad = fc.oneof(
      fc.constantFrom('ids', '', 'urn:x|y', 'https://ehr.example.org/a b', 'https://e.org/{x}', 'urn:a\u0000b', ':nothing'),
      fc.tuple(fc.constantFrom('urn:a', 'https://e.org/'), fc.constantFrom('|', ' ', '\t', '"', '<', '\\', '^', '`', '{'), fc.string({ maxLength: 4 })).map(([a, c, b]) => `${a}${c}${b}`),
    );
    fc.assert(
      fc.property(bad, (namespace) => {
        let caught: unknown;
        try {
          identifierSystems({ agency: '1234567893', namespace });
        } catch (e) {
          caught = e;
        }
        expect(caught).toBeInstanceOf(IdentityScopeError);
        expect((caught as IdentityScopeError).details).toMatchObject({ reason: 'invalid-namespace' });
        if (namespace.length > 3) expect((caught as Error).message).not.toContain(namespace);
      }),
      { seed: 1, numRuns: 200 },
    );
  });

  it('accepts URLs and URNs', () => {
    expect(identifierSystems({ agency: '1234567893', namespace: 'https://ehr.example.org/ids' }).encounter).toBe('https://ehr.example.org/ids/agency/1234567893/encounter');
    expect(identifierSystems({ agency: '1234567893', namespace: 'urn:oid:2.16.840.1.113883.3.999' }).encounter).toBe('urn:oid:2.16.840.1.113883.3.999:agency:1234567893:encounter');
  });
});
