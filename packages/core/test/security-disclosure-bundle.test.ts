import { describe, expect, it } from 'vitest';
import type { Claim, Consent, Encounter, Provenance } from 'fhir/r4.js';
import { bundleValidationProblems } from '../../../test/support/validators.js';
import { PeerFhirValidationError } from '../src/errors.js';
import { part2SecurityLabels } from '../src/security/part2-labels.js';
import {
  buildDisclosureBundle,
  PART2_REDISCLOSURE_NOTICE,
  REDISCLOSURE_NOTICE_EXTENSION,
  type DisclosureBundleOptions,
} from '../src/security/redisclosure-notice.js';
import { Systems } from '../src/terminology/systems.js';

const ACT = Systems.V3_ACT_CODE;
const AT = '2026-03-01T10:00:00-05:00';

const encounter = (id: string, security?: Encounter['meta']): Encounter => ({
  resourceType: 'Encounter',
  id,
  ...(security === undefined ? {} : { meta: security }),
  status: 'finished',
  class: { system: ACT, code: 'AMB', display: 'ambulatory' },
});

const part2Encounter = (id = 'enc-p2') => encounter(id, { security: [{ system: ACT, code: 'ETH' }, { system: ACT, code: 'NORDSLCD' }] });

const consentResource = (id: string): Consent => ({
  resourceType: 'Consent',
  id,
  status: 'active',
  scope: { coding: [{ system: Systems.CONSENT_SCOPE, code: 'patient-privacy' }] },
  category: [{ coding: [{ system: Systems.LOINC, code: '59284-0' }] }],
  policyRule: { coding: [{ system: ACT, code: 'OPTIN' }] },
});

const options = (over: Partial<DisclosureBundleOptions> = {}): DisclosureBundleOptions => ({
  discloser: { npi: '1234567893' },
  recipient: { npi: '1234567802', kind: 'organization' },
  purpose: 'payment',
  consentIds: ['c-1'],
  at: AT,
  ...over,
});

const provenanceOf = (b: ReturnType<typeof buildDisclosureBundle>) =>
  b.entry?.map((e) => e.resource).find((r): r is Provenance => r?.resourceType === 'Provenance');

describe('PART2_REDISCLOSURE_NOTICE', () => {
  it('holds the 2024 short statement and cites 42 CFR 2.32 as amended by 89 FR 12472', () => {
    expect(PART2_REDISCLOSURE_NOTICE.statement2).toBe('42 CFR part 2 prohibits unauthorized use or disclosure of these records.');
    expect(PART2_REDISCLOSURE_NOTICE.citation).toContain('2.32');
    expect(PART2_REDISCLOSURE_NOTICE.citation).toContain('89 FR 12472');
    expect(PART2_REDISCLOSURE_NOTICE.statement1).toMatch(/^This record which has been disclosed to you is protected by Federal confidentiality rules/);
    expect(PART2_REDISCLOSURE_NOTICE.statement1).toContain('civil, criminal, administrative, or legislative proceedings');
  });
});

describe('buildDisclosureBundle', () => {
  it('builds a collection Bundle that passes both validators', () => {
    const bundle = buildDisclosureBundle([part2Encounter(), encounter('enc-plain')], options({ consents: [consentResource('c-1')] }));
    expect(bundle.type).toBe('collection');
    expect(bundle.timestamp).toBe(AT);
    expect(bundleValidationProblems(bundle)).toEqual([]);
  });

  it('labels Part 2 entries with all four labels, normalising NORDSLCD and keeping ETH', () => {
    const bundle = buildDisclosureBundle([part2Encounter()], options());
    const labels = bundle.entry?.[0]?.resource?.meta?.security?.map((c) => c.code).sort();
    expect(labels).toEqual(['42CFRPart2', 'ETH', 'NORDSCLCD', 'R', 'SUD']);
  });

  it('leaves entries that are not Part 2 unlabelled', () => {
    const bundle = buildDisclosureBundle([part2Encounter(), encounter('enc-plain')], options());
    expect(bundle.entry?.[1]?.resource?.meta).toBeUndefined();
  });

  it('puts the high-water mark of the entries labels on Bundle.meta.security', () => {
    const bundle = buildDisclosureBundle([part2Encounter(), encounter('enc-plain')], options());
    const codes = bundle.meta?.security?.map((c) => c.code) ?? [];
    for (const label of part2SecurityLabels()) expect(codes).toContain(label.code);
  });

  it('records the disclosure in a Provenance: targets, agents, consent policies, purpose and the 2.32 notice', () => {
    const bundle = buildDisclosureBundle([part2Encounter()], options({ consentIds: ['c-1', 'c-2'], provenanceId: 'disc-1' }));
    const prov = provenanceOf(bundle);
    expect(prov?.id).toBe('disc-1');
    expect(prov?.target).toEqual([{ reference: 'Encounter/enc-p2' }]);
    expect(prov?.recorded).toBe(AT);
    expect(prov?.policy).toEqual(['Consent/c-1', 'Consent/c-2']);
    expect(prov?.reason?.[0]?.coding?.[0]).toMatchObject({ system: Systems.V3_ACT_REASON, code: 'HPAYMT' });
    expect(prov?.agent?.[0]?.who.identifier).toEqual({ system: Systems.NPI, value: '1234567893' });
    expect(prov?.agent?.[1]?.who.identifier).toEqual({ system: Systems.NPI, value: '1234567802' });
    expect(prov?.extension?.find((e) => e.url === REDISCLOSURE_NOTICE_EXTENSION)?.valueString).toBe(PART2_REDISCLOSURE_NOTICE.statement2);
    expect(prov?.text?.div).toContain(PART2_REDISCLOSURE_NOTICE.statement2);
    expect(prov?.meta?.security?.map((c) => c.code)).toContain('42CFRPart2');
  });

  it('attaches Statement 1 when asked, escaped in the narrative, and stays valid', () => {
    const bundle = buildDisclosureBundle([part2Encounter()], options({ notice: 'statement1' }));
    const prov = provenanceOf(bundle);
    expect(prov?.extension?.[0]?.valueString).toBe(PART2_REDISCLOSURE_NOTICE.statement1);
    expect(bundleValidationProblems(bundle)).toEqual([]);
  });

  it('adds no notice when nothing disclosed is Part 2 protected', () => {
    const bundle = buildDisclosureBundle([encounter('enc-plain')], options({ purpose: 'research', consentIds: [] }));
    const prov = provenanceOf(bundle);
    expect(prov?.extension).toBeUndefined();
    expect(prov?.policy).toBeUndefined();
    expect(bundle.meta).toBeUndefined();
    expect(bundleValidationProblems(bundle)).toEqual([]);
  });

  it('includes copies of the consents (42 CFR 2.32(b)) and builds fullUrls from a base', () => {
    const claim: Claim = {
      resourceType: 'Claim',
      id: 'cl-1',
      meta: { security: part2SecurityLabels() },
      status: 'active',
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
      use: 'claim',
      patient: { reference: 'Patient/p-1' },
      created: '2026-03-01',
      provider: { reference: 'Organization/o-1' },
      priority: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/processpriority', code: 'normal' }] },
      insurance: [{ sequence: 1, focal: true, coverage: { reference: 'Coverage/cov-1' } }],
    };
    const bundle = buildDisclosureBundle([claim], options({ consents: [consentResource('c-1')], fullUrlBase: 'https://ehr.example.org/fhir/' }));
    expect(bundle.entry?.map((e) => e.resource?.resourceType)).toEqual(['Claim', 'Consent', 'Provenance']);
    expect(bundle.entry?.[0]?.fullUrl).toBe('https://ehr.example.org/fhir/Claim/cl-1');
    expect(bundleValidationProblems(bundle)).toEqual([]);
  });

  it('does not modify the resources it is given', () => {
    const input = part2Encounter();
    const snapshot = structuredClone(input);
    buildDisclosureBundle([input], options());
    expect(input).toEqual(snapshot);
  });

  it('rejects a date-only time, an empty list and resources without ids, naming each path', () => {
    const noId: Encounter = { ...encounter('x'), id: undefined };
    try {
      buildDisclosureBundle([noId], options({ at: '2026-03-01' }));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(PeerFhirValidationError);
      expect((err as PeerFhirValidationError).issues.map((i) => i.path)).toEqual(['at', 'resources[0].id']);
    }
    expect(() => buildDisclosureBundle([], options())).toThrow(PeerFhirValidationError);
  });
});
