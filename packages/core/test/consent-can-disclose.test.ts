import { describe, expect, it } from 'vitest';
import type { Coding } from 'fhir/r4.js';
import type { z } from 'zod';
import { ConsentDirective } from '../src/domain/consent.js';
import { canDisclose, filterDisclosable, isTpoPurpose, type DisclosureRequest } from '../src/consent/can-disclose.js';
import { ConsentRequiredError } from '../src/consent/consent-required-error.js';
import { PeerFhirError, PeerFhirValidationError } from '../src/errors.js';
import { part2SecurityLabels } from '../src/security/part2-labels.js';
import { Systems } from '../src/terminology/systems.js';

const ACT = Systems.V3_ACT_CODE;
const PROGRAM_NPI = '1234567893';
const PAYER_NPI = '1234567802';
const OTHER_NPI = '1234567810';
const AT = '2026-03-01';

const consent = (over: Partial<z.input<typeof ConsentDirective>> = {}) =>
  ConsentDirective.parse({
    id: 'c-1',
    participantId: 'p-1',
    kind: 'part2-tpo',
    status: 'active',
    recipients: [],
    purposes: ['treatment', 'payment', 'operations', 'care-coordination'],
    period: { start: '2026-01-01', end: '2026-12-31' },
    signedDate: '2026-01-01',
    disclosingOrganizationNpi: PROGRAM_NPI,
    ...over,
  });

const payer = { kind: 'organization' as const, name: 'State Medicaid Plan', npi: PAYER_NPI };
const resource = (security: Coding[] = [], resourceType = 'Encounter') => ({ resourceType, id: 'r-1', meta: { security } });
const part2 = () => resource(part2SecurityLabels());

const request = (over: Partial<DisclosureRequest> = {}): DisclosureRequest => ({
  resource: part2(),
  recipient: { npi: PAYER_NPI, kind: 'organization', isTpoRecipient: true },
  purpose: 'payment',
  at: AT,
  consents: [consent()],
  // The resource's own patient, as the caller resolved it (the resources here carry no patient reference).
  participantId: 'p-1',
  ...over,
});

const codes = (d: ReturnType<typeof canDisclose>) => d.reasons.map((r) => r.code);

describe('disclosure of data that is not Part 2 protected', () => {
  it('permits a TPO purpose without any consent under HIPAA (45 CFR 164.506)', () => {
    const d = canDisclose(request({ resource: resource(), consents: [] }));
    expect(d).toMatchObject({ decision: 'permit', part2: false, requiresRedisclosureNotice: false, consentIds: [] });
    expect(codes(d)).toEqual(['HIPAA-TPO']);
  });

  it('needs a HIPAA authorization naming the recipient for research', () => {
    const denied = canDisclose(request({ resource: resource(), purpose: 'research', consents: [] }));
    expect(denied.decision).toBe('deny');
    expect(denied.missing).toEqual({ kind: 'hipaa-authorization', purpose: 'research', recipient: { kind: 'organization', designation: 'named' } });
    expect(codes(denied)).toEqual(['CONSENT-REQUIRED', 'NO-CONSENT-ON-FILE']);

    const auth = consent({ id: 'a-1', kind: 'hipaa-authorization', recipients: [payer], purposes: ['research'] });
    const permitted = canDisclose(request({ resource: resource(), purpose: 'research', consents: [auth] }));
    expect(permitted).toMatchObject({ decision: 'permit', consentIds: ['a-1'], requiresRedisclosureNotice: false });
  });

  it('accepts a Part 2 consent naming the recipient and purpose in place of a HIPAA authorization', () => {
    const specific = consent({ id: 's-1', kind: 'part2-specific', recipients: [payer], purposes: ['patient-request'] });
    expect(canDisclose(request({ resource: resource(), purpose: 'patient-request', consents: [specific] })).decision).toBe('permit');
  });

  it('does not treat a single TPO consent as covering a non-TPO purpose', () => {
    const d = canDisclose(request({ resource: resource(), purpose: 'public-health', consents: [consent({ purposes: ['treatment', 'public-health'] })] }));
    expect(d.decision).toBe('deny');
    expect(codes(d)).toContain('CONSENT-WRONG-PURPOSE');
  });
});

describe('disclosure of Part 2 data', () => {
  it('permits payment to a TPO recipient under a single TPO consent that designates the class', () => {
    const d = canDisclose(request());
    expect(d).toMatchObject({ decision: 'permit', part2: true, requiresRedisclosureNotice: true, consentIds: ['c-1'] });
    expect(codes(d)).toEqual(['CONSENT-PERMITS']);
  });

  it('denies a recipient outside the TPO class under a class-designating TPO consent', () => {
    const d = canDisclose(request({ recipient: { npi: OTHER_NPI, isTpoRecipient: false } }));
    expect(d.decision).toBe('deny');
    expect(codes(d)).toContain('CONSENT-WRONG-RECIPIENT');
    expect(d.missing).toEqual({ kind: 'part2-tpo', purpose: 'payment', recipient: { designation: 'named' } });
  });

  it('matches a named recipient by identifier when there is no NPI', () => {
    const identifier = { system: 'https://medicaid.example.gov/payer-id', value: 'MCD-77' };
    const c = consent({ recipients: [{ kind: 'organization', name: 'Plan', identifier }] });
    expect(canDisclose(request({ recipient: { identifier }, consents: [c] })).decision).toBe('permit');
    expect(canDisclose(request({ recipient: { identifier: { ...identifier, value: 'MCD-78' } }, consents: [c] })).decision).toBe('deny');
  });

  it('does not match a named organization when the recipient is a practitioner with the same NPI', () => {
    const c = consent({ recipients: [payer] });
    expect(canDisclose(request({ recipient: { npi: PAYER_NPI, kind: 'practitioner' }, consents: [c] })).decision).toBe('deny');
  });

  it('refuses a HIPAA authorization for Part 2 data', () => {
    const auth = consent({ id: 'a-1', kind: 'hipaa-authorization', recipients: [payer], purposes: ['payment'] });
    const d = canDisclose(request({ consents: [auth] }));
    expect(d.decision).toBe('deny');
    expect(codes(d)).toContain('CONSENT-WRONG-KIND');
  });

  it('permits research only under a Part 2 consent naming the recipient', () => {
    const specific = consent({ id: 's-1', kind: 'part2-specific', recipients: [payer], purposes: ['research'] });
    const d = canDisclose(request({ purpose: 'research', consents: [consent(), specific] }));
    expect(d).toMatchObject({ decision: 'permit', consentIds: ['s-1'], requiresRedisclosureNotice: true });
  });

  it('always denies use in legal proceedings against the patient and says court orders are out of scope', () => {
    const specific = consent({ id: 's-1', kind: 'part2-specific', recipients: [payer], purposes: ['legal'] });
    const d = canDisclose(request({ purpose: 'legal', consents: [specific] }));
    expect(d.decision).toBe('deny');
    expect(codes(d)).toEqual(['PART2-LEGAL-PROCEEDINGS']);
    expect(d.reasons[0]?.message).toMatch(/court orders .* out of scope/);
    expect(d.missing).toBeUndefined();
  });

  it('treats ETH-only and legacy NORDSLCD labels as Part 2', () => {
    for (const security of [[{ system: ACT, code: 'ETH' }], [{ system: ACT, code: '42CFRPart2' }, { system: ACT, code: 'NORDSLCD' }]]) {
      const d = canDisclose(request({ resource: resource(security), consents: [] }));
      expect(d).toMatchObject({ decision: 'deny', part2: true });
    }
  });
});

describe('why a candidate consent does not count', () => {
  const deny = (c: ReturnType<typeof consent>, over: Partial<DisclosureRequest> = {}) => {
    const d = canDisclose(request({ consents: [c], ...over }));
    expect(d.decision).toBe('deny');
    return d.reasons.filter((r) => r.consentId === c.id).map((r) => r.code);
  };

  it('names an expired consent', () => expect(deny(consent({ period: { start: '2025-01-01', end: '2025-12-31' } }))).toEqual(['CONSENT-EXPIRED']));
  it('names a revoked consent', () => expect(deny(consent({ status: 'inactive', revokedAt: '2026-02-01T09:00:00Z' }))).toEqual(['CONSENT-REVOKED']));
  it('names a consent not yet in effect', () => expect(deny(consent({ period: { start: '2026-06-01' } }))).toEqual(['CONSENT-NOT-YET-EFFECTIVE']));
  it('names a consent signed after the disclosure', () => expect(deny(consent({ signedDate: '2026-04-01' }))).toEqual(['CONSENT-NOT-YET-SIGNED']));
  it('names a draft consent', () => expect(deny(consent({ status: 'draft' }))).toEqual(['CONSENT-NOT-ACTIVE']));
  it('never counts a consent of another participant, nor names it', () => {
    const d = canDisclose(request({ consents: [consent({ participantId: 'p-2' })] }));
    expect(d.decision).toBe('deny');
    expect(codes(d)).toEqual(['CONSENT-REQUIRED', 'NO-CONSENT-ON-FILE']);
  });
  it('names a consent that does not cover the purpose', () => expect(deny(consent({ purposes: ['treatment'] }))).toEqual(['CONSENT-WRONG-PURPOSE']));
  it('names a consent scoped to other resource types', () =>
    expect(deny(consent({ dataScope: { resourceTypes: ['Claim'], sensitivities: [] } }))).toEqual(['CONSENT-OUT-OF-SCOPE']));
  it('names a consent scoped to other sensitivities', () =>
    expect(deny(consent({ dataScope: { resourceTypes: [], sensitivities: ['MH'] } }))).toEqual(['CONSENT-OUT-OF-SCOPE']));
  it('lists every failure of one consent', () =>
    expect(deny(consent({ status: 'draft', purposes: ['treatment'] }), { recipient: { npi: OTHER_NPI } })).toEqual([
      'CONSENT-NOT-ACTIVE',
      'CONSENT-WRONG-PURPOSE',
      'CONSENT-WRONG-RECIPIENT',
    ]));

  it('lets a SUD-scoped consent cover data labelled with the older ETH code', () => {
    const c = consent({ dataScope: { resourceTypes: ['Encounter'], sensitivities: ['SUD'] } });
    expect(canDisclose(request({ resource: resource([{ system: ACT, code: 'ETH' }]), consents: [c] })).decision).toBe('permit');
  });
});

describe('canDisclose input', () => {
  it('rejects an unparseable time with a validation error on path at', () => {
    expect(() => canDisclose(request({ at: 'yesterday' }))).toThrow(PeerFhirValidationError);
  });

  it('accepts a timestamp with an offset', () => {
    expect(canDisclose(request({ at: '2026-03-01T08:30:00-05:00' })).decision).toBe('permit');
  });

  it('knows the TPO purposes', () => {
    expect(['treatment', 'payment', 'operations', 'care-coordination'].every((p) => isTpoPurpose(p as 'payment'))).toBe(true);
    expect(isTpoPurpose('research')).toBe(false);
  });
});

describe('filterDisclosable', () => {
  it('splits resources into permitted and denied with references and decisions', () => {
    const plain = { resourceType: 'Organization', id: 'o-1' };
    const claim = { ...resource(part2SecurityLabels(), 'Claim'), id: 'cl-1' };
    const enc = part2();
    const c = consent({ dataScope: { resourceTypes: ['Encounter', 'Organization'], sensitivities: [] } });
    const out = filterDisclosable([plain, claim, enc], { recipient: { npi: PAYER_NPI, isTpoRecipient: true }, purpose: 'payment', at: AT, consents: [c], participantId: 'p-1' });
    expect(out.permitted).toEqual([plain, enc]);
    expect(out.denied.map((d) => d.reference)).toEqual(['Claim/cl-1']);
    expect(out.denied[0]?.decision.reasons.map((r) => r.code)).toContain('CONSENT-OUT-OF-SCOPE');
    expect(out.consentIds).toEqual(['c-1']);
    expect(out.requiresRedisclosureNotice).toBe(true);
  });

  it('needs no notice when only non-Part 2 data is permitted', () => {
    const out = filterDisclosable([{ resourceType: 'Organization' }], { recipient: {}, purpose: 'treatment', at: AT, consents: [] });
    expect(out).toMatchObject({ denied: [], consentIds: [], requiresRedisclosureNotice: false });
  });
});

describe('ConsentRequiredError', () => {
  it('is a PeerFhirError naming the missing consent kind, purpose and recipient kind', () => {
    const d = canDisclose(request({ purpose: 'research', consents: [] }));
    const err = new ConsentRequiredError(d);
    expect(err).toBeInstanceOf(PeerFhirError);
    expect(err.name).toBe('ConsentRequiredError');
    expect(err.missing).toEqual({ kind: 'part2-specific', purpose: 'research', recipient: { kind: 'organization', designation: 'named' } });
    expect(err.message).toBe('Disclosure denied: it needs a part2-specific consent covering research naming the organization recipient.');
    expect(err.reasonCodes).toEqual(['CONSENT-REQUIRED', 'NO-CONSENT-ON-FILE']);
    expect(err.part2).toBe(true);
  });

  it('lists the reason codes when no consent could cure the denial', () => {
    const err = new ConsentRequiredError(canDisclose(request({ purpose: 'legal' })));
    expect(err.missing).toBeUndefined();
    expect(err.message).toBe('Disclosure denied (PART2-LEGAL-PROCEEDINGS).');
  });
});
