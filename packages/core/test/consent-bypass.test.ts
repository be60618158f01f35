// Issue 11: the five ways the Part 2 consent gate was bypassed through the public API, one named regression test
// (or a few) per class. Expectations come from 42 CFR 2.31-2.33 and the DS4P labelling rules.
import { describe, expect, it } from 'vitest';
import type { Coding } from 'fhir/r4.js';
import type { z } from 'zod';
import { ConsentDirective } from '../src/domain/consent.js';
import { canDisclose, filterDisclosable, type DisclosureRequest } from '../src/consent/can-disclose.js';
import { consentStateAt } from '../src/consent/evaluate-status.js';
import { isPart2Protected, part2SecurityLabels } from '../src/security/part2-labels.js';

const PAYER = { npi: '1234567802', kind: 'organization' as const, isTpoRecipient: true };
const consent = (over: Partial<z.input<typeof ConsentDirective>> = {}) =>
  ConsentDirective.parse({
    id: 'c-b',
    participantId: 'p-b',
    kind: 'part2-tpo',
    status: 'active',
    recipients: [],
    purposes: ['treatment', 'payment', 'operations'],
    period: { start: '2026-01-01', end: '2026-12-31' },
    signedDate: '2026-01-01',
    disclosingOrganizationNpi: '1234567893',
    ...over,
  });
const encounter = (id: string, patient: string, security?: Coding[]) => ({
  resourceType: 'Encounter',
  id,
  subject: { reference: `Patient/${patient}` },
  ...(security === undefined ? {} : { meta: { security } }),
});
const PATIENTS = { 'Patient/a': 'p-a', 'Patient/b': 'p-b' };
const ask = (resource: DisclosureRequest['resource'], over: Partial<DisclosureRequest> = {}) =>
  canDisclose({ resource, recipient: PAYER, purpose: 'payment', at: '2026-03-01T12:00:00Z', consents: [consent()], patients: PATIENTS, ...over });

describe('class 1: consent borrowed from another patient', () => {
  it("never discloses patient A's Part 2 Encounter under patient B's consent", () => {
    const encA = encounter('a1', 'a', part2SecurityLabels());
    const encB = encounter('b1', 'b', part2SecurityLabels());
    const out = filterDisclosable([encA, encB], { recipient: PAYER, purpose: 'payment', at: '2026-03-01', consents: [consent()], patients: PATIENTS });
    expect(out.permitted).toEqual([encB]);
    expect(out.denied.map((d) => d.reference)).toEqual(['Encounter/a1']);
    expect(out.denied[0]?.decision.reasons.map((r) => r.code)).toContain('NO-CONSENT-ON-FILE');
  });

  it('denies a Part 2 resource whose patient cannot be resolved', () => {
    expect(ask(encounter('a1', 'zz', part2SecurityLabels())).reasons.map((r) => r.code)).toContain('PATIENT-UNRESOLVED');
    const group = { resourceType: 'Encounter', id: 'g', subject: { reference: 'Group/1' }, meta: { security: part2SecurityLabels() } };
    expect(ask(group, { participantId: 'p-b' }).decision).toBe('deny');
    expect(ask({ resourceType: 'Encounter', meta: { security: part2SecurityLabels() } }).reasons.map((r) => r.code)).toContain('PATIENT-UNRESOLVED');
  });

  it('denies when the caller names another participant than the resource is about', () => {
    const d = ask(encounter('a1', 'a', part2SecurityLabels()), { participantId: 'p-b' });
    expect(d.decision).toBe('deny');
    expect(d.reasons.map((r) => r.code)).toContain('PATIENT-MISMATCH');
  });
});

describe('class 2: wrapping hides labels', () => {
  const part2EncA = encounter('a1', 'a', part2SecurityLabels());
  it('judges an unlabelled Bundle by the Part 2 Encounter inside it, at any depth', () => {
    const inner = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: part2EncA }] };
    const outer = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: inner }] };
    expect(isPart2Protected(outer)).toBe(true);
    const d = ask(outer);
    expect(d).toMatchObject({ decision: 'deny', part2: true });
    const permitted = ask(outer, { consents: [consent({ participantId: 'p-a' })] });
    expect(permitted).toMatchObject({ decision: 'permit', requiresRedisclosureNotice: true }); // 42 CFR 2.32
  });

  it('judges an unlabelled Claim by the Part 2 Encounter contained in it', () => {
    const claim = { resourceType: 'Claim', id: 'cl', patient: { reference: 'Patient/b' }, contained: [{ resourceType: 'Encounter', id: 'e', meta: { security: part2SecurityLabels() } }] };
    // The contained Encounter belongs to the Claim's patient, B, who has a TPO consent: permitted, with the notice.
    expect(ask(claim)).toMatchObject({ decision: 'permit', part2: true, requiresRedisclosureNotice: true });
    expect(ask(claim, { consents: [] })).toMatchObject({ decision: 'deny', part2: true });
  });

  it('judges Parameters by the resources in its parameters', () => {
    const params = { resourceType: 'Parameters', parameter: [{ name: 'x', part: [{ name: 'y', resource: part2EncA }] }] };
    expect(ask(params, { purpose: 'treatment' })).toMatchObject({ decision: 'deny', part2: true });
  });
});

describe('class 3: label spellings fail open', () => {
  const spellings: [string, Coding][] = [
    ['a lowercase code', { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: '42cfrpart2' }],
    ['a code with trailing spaces', { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'SUD  ' }],
    ['an https system URI', { system: 'https://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'ETH' }],
    ['a trailing-slash system URI', { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode/', code: 'SUD' }],
    ['a bare OID', { system: '2.16.840.1.113883.5.4', code: '42CFRPart2' }],
    ['the ActUSPrivacyLaw system', { system: 'http://terminology.hl7.org/CodeSystem/v3-ActUSPrivacyLaw', code: '42CFRPart2' }],
  ];
  for (const [what, label] of spellings) {
    it(`reads ${what} as Part 2`, () => {
      expect(isPart2Protected({ resourceType: 'Encounter', meta: { security: [label] } })).toBe(true);
      expect(ask(encounter('a1', 'a', [label]))).toMatchObject({ decision: 'deny', part2: true });
    });
  }

  it('reads a Part 2 label put in meta.tag', () => {
    const tagged = { ...encounter('a1', 'a'), meta: { tag: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'SUD' }] } };
    expect(ask(tagged)).toMatchObject({ decision: 'deny', part2: true });
  });

  for (const code of ['NORDSCLCD', 'NORDSLCD', 'R']) {
    it(`needs the patient's explicit consent for ${code} without 42CFRPart2, even for TPO`, () => {
      const system = code === 'R' ? 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality' : 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
      const d = ask(encounter('a1', 'a', [{ system, code }]));
      expect(d.decision).toBe('deny');
      expect(d.reasons.map((r) => r.code)).toContain('LABEL-RESTRICTED');
      expect(ask(encounter('b1', 'b', [{ system, code }])).decision).toBe('permit');
    });
  }

  it('denies a label of an unknown system and names it by position only', () => {
    const d = ask(encounter('b1', 'b', [{ system: 'http://example.org/secret-labels', code: 'HIV-POSITIVE' }]));
    expect(d.decision).toBe('deny');
    expect(d.reasons.map((r) => r.code)).toEqual(['LABEL-UNKNOWN']);
    expect(d.reasons[0]?.message).toContain('meta.security[0]');
    expect(JSON.stringify(d)).not.toMatch(/example\.org|HIV/);
  });
});

describe('class 5: time', () => {
  it('compares a period end as an instant, whatever offset the moment is written in', () => {
    const c = consent({ period: { start: '2026-01-01', end: '2026-01-31' }, signedDate: '2025-12-01' });
    // 2026-01-31T20:00:00-10:00 is 2026-02-01T06:00:00Z: after a period ending 2026-01-31.
    expect(consentStateAt(c, '2026-01-31T20:00:00-10:00')).toBe('expired');
    expect(consentStateAt(c, '2026-02-01T06:00:00Z')).toBe('expired');
    // 2026-01-01T05:00:00+14:00 is 2025-12-31T15:00:00Z: before a period starting 2026-01-01.
    expect(consentStateAt(c, '2026-01-01T05:00:00+14:00')).toBe('not-yet-effective');
  });
});
