import { describe, expect, it } from 'vitest';
import type { Bundle, Encounter, Resource } from 'fhir/r4.js';
import { FhirMappingError, fromFhir, identifierSystems, Profiles, Systems, toFhir } from '../src/index.js';
import { bundleValidationProblems } from '../../../test/support/validators.js';
import { allRecords, groupEncounter, individualEncounter, organization, participant, recoveryPlan, specialist } from './fixtures.js';

const resources = (b: Bundle): Resource[] => (b.entry ?? []).map((e) => e.resource!);
const ofType = <T extends Resource>(b: Bundle, type: T['resourceType']) => resources(b).filter((r): r is T => r.resourceType === type);

describe('toFhir', () => {
  const bundle = toFhir(allRecords());

  it('emits only resources both independent validators accept', () => {
    expect(bundleValidationProblems(bundle)).toEqual([]);
  });

  it('makes every entry a conditional create on a stable identifier with a urn:uuid fullUrl', () => {
    for (const e of bundle.entry ?? []) {
      expect(e.fullUrl).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
      expect(e.request?.method).toBe('POST');
      expect(e.request?.ifNoneExist).toMatch(/^(identifier|_tag)=[^|]+\|.+/);
    }
    const urls = (bundle.entry ?? []).map((e) => e.fullUrl);
    expect(new Set(urls).size).toBe(urls.length);
  });

  it('names a profile in meta.profile on every resource', () => {
    for (const r of resources(bundle)) expect(r.meta?.profile?.length).toBeGreaterThan(0);
  });

  it('maps a group session to a parent Encounter with a Group subject and one child per attendee', () => {
    const ids = identifierSystems({ agency: organization().npi });
    const encounters = ofType<Encounter>(bundle, 'Encounter');
    const parent = encounters.find((e) => e.identifier?.some((i) => i.system === ids.groupSession))!;
    expect(parent.subject?.reference).toBe(bundle.entry!.find((e) => e.resource?.resourceType === 'Group')!.fullUrl);
    const children = encounters.filter((e) => e.partOf?.reference === bundle.entry!.find((x) => x.resource === parent)!.fullUrl);
    expect(children).toHaveLength(3);
    // US Core Encounter.subject is 1..1 Reference(US Core Patient): the parent, whose subject is a Group, must not claim
    // it; each attendee's Encounter has a Patient subject and does.
    expect(parent.meta?.profile).toEqual([Profiles.PeerGroupEncounter]);
    for (const child of children) expect(child.meta?.profile).toEqual([Profiles.Encounter]);
  });

  it('carries HCPCS H0038 in the https system and the performer as a PractitionerRole with NUCC 175T00000X', () => {
    const enc = ofType<Encounter>(bundle, 'Encounter')[0]!;
    expect(enc.type?.[0]?.coding?.[0]).toMatchObject({ system: Systems.HCPCS, code: 'H0038' });
    const roleUrl = enc.participant?.[0]?.individual?.reference;
    const role = bundle.entry!.find((e) => e.fullUrl === roleUrl)!.resource!;
    expect(role.resourceType).toBe('PractitionerRole');
    expect(JSON.stringify(role)).toContain('175T00000X');
  });

  it('labels every resource derived from a Part 2 record with R, SUD, 42CFRPart2 and NORDSCLCD', () => {
    const b = toFhir({ organizations: [organization()], specialists: [specialist()], participants: [participant()], encounters: [individualEncounter({ part2: true })] });
    const derived = resources(b).filter((r) => ['Encounter', 'Condition', 'DocumentReference'].includes(r.resourceType));
    expect(derived.length).toBe(4);
    for (const r of derived) {
      expect(r.meta?.security?.map((s) => s.code).sort()).toEqual(['42CFRPart2', 'NORDSCLCD', 'R', 'SUD']);
    }
    for (const r of resources(b).filter((x) => ['Patient', 'Organization', 'Practitioner'].includes(x.resourceType))) {
      expect(r.meta?.security).toBeUndefined();
    }
  });

  it('records each plan signature as a Provenance conditional on its record-key tag', () => {
    const provs = resources(bundle).filter((r) => r.resourceType === 'Provenance');
    expect(provs).toHaveLength(3);
    const entries = bundle.entry!.filter((e) => e.resource?.resourceType === 'Provenance');
    for (const e of entries) expect(e.request?.ifNoneExist).toMatch(/^_tag=/);
  });

  it('writes a referenced participant only once even when many encounters name it', () => {
    const encs = Array.from({ length: 5 }, (_, i) => individualEncounter({ id: `enc-${i}` }));
    const b = toFhir({ organizations: [organization()], specialists: [specialist()], participants: [participant()], encounters: encs });
    expect(ofType(b, 'Patient')).toHaveLength(1);
    expect(ofType(b, 'Encounter')).toHaveLength(5);
  });

  it('mints every identifier under the namespace given, scoped to the agency of the records', () => {
    const b = toFhir(allRecords(), { namespace: 'https://ehr.example.org/ids' });
    const enc = ofType<Encounter>(b, 'Encounter')[0]!;
    expect(enc.identifier?.[0]?.system).toBe(`https://ehr.example.org/ids/agency/${organization().npi}/encounter`);
  });
});

describe('fromFhir', () => {
  it('reads the transaction bundle back into the same domain records', () => {
    const input = allRecords();
    const back = fromFhir(toFhir(input));
    expect(back.organizations).toEqual(input.organizations);
    expect(back.specialists).toEqual(input.specialists);
    expect(back.participants).toEqual(input.participants);
    expect(back.encounters).toEqual(input.encounters);
    expect(back.plans).toEqual(input.plans);
    expect(back.consents).toEqual(input.consents);
  });

  it('reads resources that carry server ids and relative references', () => {
    // Simulate what a server returns: fullUrls become Type/id and references follow.
    const bundle = toFhir({ organizations: [organization()], specialists: [specialist()], participants: [participant()], encounters: [individualEncounter()], plans: [recoveryPlan()] });
    const idOf = new Map<string, string>();
    bundle.entry!.forEach((e, i) => idOf.set(e.fullUrl!, `${e.resource!.resourceType}/${i + 1}`));
    const text = JSON.stringify(resources(bundle).map((r, i) => ({ ...r, id: String(i + 1) }))).replace(/urn:uuid:[0-9a-f-]{36}/g, (u) => idOf.get(u)!);
    const back = fromFhir(JSON.parse(text) as Resource[]);
    expect(back.encounters).toEqual([individualEncounter()]);
    expect(back.plans).toEqual([recoveryPlan()]);
  });

  it('accepts the http HCPCS system and the legacy ETH and NORDSLCD labels', () => {
    const bundle = toFhir({ organizations: [organization()], specialists: [specialist()], participants: [participant()], encounters: [individualEncounter({ part2: true })] });
    for (const e of bundle.entry!) {
      if (e.resource?.resourceType !== 'Encounter') continue;
      const r = e.resource as Encounter;
      for (const c of r.type?.[0]?.coding ?? []) if (c.system === Systems.HCPCS) c.system = 'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets';
      r.meta!.security = [
        { system: Systems.V3_ACT_CODE, code: 'ETH' },
        { system: Systems.V3_ACT_CODE, code: 'NORDSLCD' },
      ];
    }
    const back = fromFhir(bundle);
    expect(back.encounters[0]).toMatchObject({ serviceCode: 'H0038', part2: true });
  });

  it('lists every problem with its path when resources are incomplete, without echoing values', () => {
    const bundle = toFhir({ organizations: [organization()], specialists: [specialist()], participants: [participant()], encounters: [individualEncounter()] });
    const patient = bundle.entry!.find((e) => e.resource?.resourceType === 'Patient')!.resource as { birthDate?: string; gender?: string };
    delete patient.birthDate;
    patient.gender = 'not-a-gender';
    const enc = bundle.entry!.find((e) => e.resource?.resourceType === 'Encounter')!.resource as Encounter;
    delete enc.period!.end;
    let err: unknown;
    try {
      fromFhir(bundle);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FhirMappingError);
    const issues = (err as FhirMappingError).issues.map((i) => i.path);
    expect(issues).toEqual(expect.arrayContaining(['Patient[0].birthDate', 'Patient[0].gender', 'Encounter[0].end']));
    expect((err as Error).message).not.toContain('not-a-gender');
    expect((err as Error).message).not.toContain('Testperson');
  });
});
