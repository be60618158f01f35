import { describe, expect, it } from 'vitest';
import type { FhirResource } from 'fhir/r4.js';
import {
  resolveX12ClaimInput,
  resolveX12ClaimInputs,
  validateX12ClaimInput,
  write837P,
  write837PStream,
  X12InputError,
  PAYER_ID_SYSTEM,
  type X12ClaimInput,
} from '../src/index.js';
import { agency, AGENCY_NPI, bundleFor, claim, input, NPI, options, peer, PHI, coverage, SUPERVISOR_NPI } from './fixtures.js';

function errorOf(fn: () => unknown): X12InputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof X12InputError) return e;
    throw e;
  }
  throw new Error('expected an X12InputError');
}

function expectNoPhi(err: Error): void {
  const text = `${err.message} ${JSON.stringify(err)}`;
  for (const v of [PHI.family, PHI.given, PHI.memberId, PHI.birthDate, PHI.birthDate.replace(/-/g, '')]) {
    expect(text).not.toContain(v);
  }
}

describe('837P input validation', () => {
  it('lists every problem of every claim with a path, in one error', () => {
    const noNpi = input({ pcn: 'A' }, { billingProvider: agency({ identifier: [{ system: 'http://hl7.org/fhir/sid/us-ein', value: '123456789' }] }) });
    const noLines: X12ClaimInput = { ...input({ pcn: 'B' }), claim: { ...claim({ pcn: 'B' }), item: [], total: { value: 0, currency: 'USD' } } };
    const fiveMods = input({ pcn: 'C', lines: [{ modifiers: ['HQ', 'U4', 'HF', 'HE', 'GT'] }] });
    const fiftyOne = input({ pcn: 'D', lines: Array.from({ length: 51 }, () => ({ charge: 10, units: 1 })) });
    const err = errorOf(() => write837P([noNpi, noLines, fiveMods, fiftyOne], options()));
    const paths = err.issues.map((i) => i.path);
    expect(paths).toContain('claims[0].billingProvider.identifier(http://hl7.org/fhir/sid/us-npi)');
    expect(paths).toContain('claims[1].claim.item');
    expect(paths).toContain('claims[2].claim.item[0].modifier');
    expect(err.issues.find((i) => i.path === 'claims[3].claim.item')!.message).toMatch(/at most 50 service lines/);
    expect(err.issues.length).toBeGreaterThanOrEqual(4);
    expectNoPhi(err);
  });

  it('rejects an NPI with a bad check digit without echoing it', () => {
    const err = errorOf(() => write837P([input({}, { rendering: { practitioner: peer({ identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: '1245319598' }] }) } })], options()));
    expect(err.issues[0]!.message).toMatch(/check digit/);
    expect(err.message).not.toContain('1245319598');
  });

  it('never puts member ids, names or birth dates in messages', () => {
    const bad = input(
      { lines: [{ modifiers: ['TOOLONG'], units: 0 }] },
      { coverage: coverage({ relationship: { coding: [{ code: 'child' }] } }) },
    );
    const bogus: X12ClaimInput = { ...bad, subscriber: { ...bad.subscriber, birthDate: '1980', address: [{ line: [PHI.family], city: PHI.given, state: 'Georgia', postalCode: PHI.memberId }] } };
    const err = errorOf(() => write837P([bogus], options()));
    expect(err.issues.length).toBeGreaterThan(3);
    expectNoPhi(err);
  });

  it('needs the prior payer claim number for a replacement or void', () => {
    const c = claim({ replaces: { icn: '', frequency: '7' } });
    const issues = validateX12ClaimInput({ ...input(), claim: c });
    expect(issues.map((i) => i.path)).toContain('claim.claim.related');
  });

  it('requires CLM02 to equal the sum of the lines when Claim.total is given', () => {
    const c = { ...claim(), total: { value: 61, currency: 'USD' } };
    expect(validateX12ClaimInput({ ...input(), claim: c })).toEqual([{ path: 'claim.claim.total', message: 'must equal the sum of the line charges (CLM02)' }]);
  });

  it('rejects a supervising provider who is the rendering provider', () => {
    const issues = validateX12ClaimInput(input({ supervisor: true }, { supervising: peer() }));
    expect(issues.map((i) => i.path)).toEqual(['claim.supervising']);
  });

  it('rejects an empty batch and bad envelope options', async () => {
    expect(errorOf(() => write837P([], options())).issues).toEqual([{ path: 'claims', message: 'at least one claim is required' }]);
    const err = errorOf(() => write837P([input()], options({ sender: { id: 'WAY-TOO-LONG-SENDER-ID' }, usage: 'X' as 'T' })));
    expect(err.issues.map((i) => i.path)).toEqual(['options.sender.id', 'options.usage']);
    await expect(async () => {
      for await (const _ of write837PStream([], options())) void _;
    }).rejects.toThrow(X12InputError);
  });

  it('stops a stream at the first bad claim with that claim index in the path', async () => {
    const claims = [input({ pcn: 'OK' }), input({ pcn: 'BAD', lines: [{ modifiers: ['A', 'B', 'C', 'D', 'E'] }] })];
    const run = async () => {
      for await (const _ of write837PStream(claims, options())) void _;
    };
    await expect(run()).rejects.toSatisfy((e: unknown) => e instanceof X12InputError && e.issues.every((i) => i.path.startsWith('claims[1].')));
  });
});

describe('resolving a Claim against a Bundle', () => {
  it('finds every referenced resource by Type/id and writes the same 837P as a hand-built input', () => {
    const c = claim({ supervisor: true });
    const resolved = resolveX12ClaimInput(c, bundleFor(c, { supervisor: true }));
    expect(resolved.rendering.practitioner.id).toBe('peer1');
    expect(resolved.rendering.practitionerRole?.id).toBe('peerrole1');
    expect(resolved.supervising?.id).toBe('sup1');
    expect(write837P([resolved], options())).toBe(write837P([input({ supervisor: true })], options()));
  });

  it('resolves many claims of one bundle as each alone (one index for all), contained resources per claim', () => {
    const plain = claim({ supervisor: true });
    const own = { ...claim(), id: 'c2', contained: [{ ...agency(), id: 'org2', name: 'Contained Agency' }], provider: { reference: '#org2' } };
    const b = bundleFor(plain, { supervisor: true });
    const claims = [plain, own, plain];
    expect(resolveX12ClaimInputs(claims, b)).toEqual(claims.map((c) => resolveX12ClaimInput(c, b)));
    expect(resolveX12ClaimInputs(claims, b)[1]!.billingProvider.id).toBe('org2');
    expect(() => resolveX12ClaimInputs([plain, { ...plain, provider: { reference: 'Organization/none' } }], b)).toThrow(X12InputError);
  });

  it('resolves contained resources', () => {
    const c = claim();
    const withContained = {
      ...c,
      contained: [{ ...agency(), id: 'org' }],
      provider: { reference: '#org' },
    };
    const b = bundleFor(c);
    expect(resolveX12ClaimInput(withContained, b).billingProvider.id).toBe('org');
  });

  it('resolves logical references by identifier (with or without Reference.type) and writes the same 837P', () => {
    const logical = (type: string | undefined, system: string, value: string) => ({ ...(type ? { type } : {}), identifier: { system, value } });
    const base = claim({ supervisor: true });
    const c = {
      ...base,
      patient: logical('Patient', 'urn:test:participant', 'p-1'),
      provider: logical(undefined, NPI, AGENCY_NPI),
      insurer: logical('Organization', PAYER_ID_SYSTEM, 'GAMCD'),
      insurance: [{ ...base.insurance![0]!, coverage: logical('Coverage', 'urn:test:coverage', 'p-1:GAMCD') }],
      careTeam: base.careTeam!.map((m, i) => ({
        ...m,
        provider: i === 0 ? logical('PractitionerRole', 'urn:test:role', 'peer:agency') : logical('Practitioner', 'urn:oid:2.16.840.1.113883.4.6', SUPERVISOR_NPI),
      })),
    };
    const b = bundleFor(c, { supervisor: true });
    const withIds = (r: FhirResource): FhirResource => {
      const extra: Record<string, { system: string; value: string }> = {
        pat1: { system: 'urn:test:participant', value: 'p-1' },
        cov1: { system: 'urn:test:coverage', value: 'p-1:GAMCD' },
        peerrole1: { system: 'urn:test:role', value: 'peer:agency' },
      };
      const id = extra[r.id ?? ''];
      return id ? ({ ...r, identifier: [...(('identifier' in r && Array.isArray(r.identifier) ? r.identifier : []) as object[]), id] } as FhirResource) : r;
    };
    b.entry = b.entry!.map((e) => ({ ...e, resource: withIds(e.resource as FhirResource) }));
    const resolved = resolveX12ClaimInput(c, b);
    expect(resolved.subscriber.id).toBe('pat1');
    expect(resolved.coverage.id).toBe('cov1');
    expect(resolved.billingProvider.id).toBe('agency');
    expect(resolved.payer.id).toBe('medicaid');
    expect(resolved.rendering.practitionerRole?.id).toBe('peerrole1');
    // the supervisor's NPI is referenced under the OID spelling core normalises to the us-npi URI
    expect(resolved.supervising?.id).toBe('sup1');
    expect(write837P([resolved], options())).toBe(write837P([{ ...input({ supervisor: true }), claim: c }], options()));
  });

  it('rejects a logical reference that matches two resources, or none', () => {
    const c = { ...claim(), provider: { identifier: { system: NPI, value: AGENCY_NPI } } };
    const b = bundleFor(c);
    b.entry!.push({ fullUrl: 'urn:uuid:6f1c0e8e-0000-4000-8000-000000000001', resource: { ...agency(), id: 'agency2' } });
    expect(errorOf(() => resolveX12ClaimInput(c, b)).issues).toEqual([{ path: 'claim.provider.identifier', message: 'matches more than one resource in the bundle' }]);
    const none = { ...claim(), provider: { type: 'Organization', identifier: { system: NPI, value: '1679576722' } } };
    expect(errorOf(() => resolveX12ClaimInput(none, bundleFor(none))).issues.map((i) => i.path)).toEqual(['claim.provider']);
  });

  it('lists every missing piece by path', () => {
    const c = claim();
    const err = errorOf(() => resolveX12ClaimInput(c, { resourceType: 'Bundle', type: 'collection', entry: [] }));
    expect(err.issues.map((i) => i.path)).toEqual([
      'claim.provider',
      'claim.patient',
      'claim.insurance.coverage',
      'claim.insurer',
      'claim.careTeam[0].provider',
    ]);
  });
});
