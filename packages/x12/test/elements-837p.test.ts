/**
 * 837P element validation (005010X222A1): every value taken from input is checked against its element's type,
 * min/max length and code list; invalid input is an X12InputError naming the element, never a malformed file or an
 * injected segment. Identifiers are refused, not rewritten; names are transliterated.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tr3Problems837P } from '../../../test/support/tr3-837p.js';
import { write837P, X12InputError, type X12ClaimInput, type Write837POptions } from '../src/index.js';
import { agency, coverage, input, NUCC, options, patient, payer, peerRole } from './fixtures.js';

function issuesOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof X12InputError) return [...e.issues];
    throw e;
  }
  throw new Error('expected an X12InputError');
}

/**
 * The structure of an interchange: per segment its id, element count and component counts (the fixed-width ISA by its
 * length). A value that smuggled in a delimiter changes it; content does not.
 */
const shape = (text: string) =>
  text
    .trim()
    .split('~\n')
    .map((seg) => (seg.startsWith('ISA*') ? `ISA/${seg.length}` : seg.split('*').map((e, i) => (i === 0 ? e : String(e.split(':').length))).join('|')));

describe('837P elements are validated, never written unchecked', () => {
  it('refuses an SBR09 claim filing indicator outside the TR3 code list (no injected segment)', () => {
    const issues = issuesOf(() => write837P([{ ...input(), claimFilingIndicator: 'MC~NM1*IL*1*EVIL' }], options()));
    expect(issues).toEqual([{ path: 'claims[0].claimFilingIndicator', message: 'must be an SBR09 claim filing indicator code (e.g. MC, MB, HM)' }]);
    for (const code of ['MC', 'MB', 'HM', 'CI', 'ZZ']) expect(write837P([{ ...input(), claimFilingIndicator: code }], options())).toContain(`SBR*P*18*******${code}~`);
  });

  it('refuses billing and rendering taxonomy codes that are not NUCC codes (no forged REF*EI)', () => {
    const forged = '251S00000X~REF*EI*999999999';
    const bad: X12ClaimInput = {
      ...input(),
      billingProvider: agency({ type: [{ coding: [{ system: NUCC, code: forged }] }] }),
      claim: { ...input().claim, careTeam: [{ ...input().claim.careTeam![0]!, qualification: { coding: [{ system: NUCC, code: '175T0000' }] } }] },
    };
    const paths = issuesOf(() => write837P([bad], options())).map((i) => i.path);
    expect(paths).toContain(`claims[0].billingProvider.type(${NUCC})`);
    expect(paths).toContain(`claims[0].rendering.practitionerRole.specialty(${NUCC})`);
  });

  it('refuses names and contacts that are empty after cleaning, a phone of n/a, and 1-character NM109 and city', () => {
    const bad: X12ClaimInput = {
      ...input(),
      subscriber: patient({ name: [{ family: '***', given: ['~~'] }], address: [{ line: ['1 Elm St'], city: 'A', state: 'GA', postalCode: '30303' }] }),
      coverage: coverage({ subscriberId: 'M' }),
    };
    const messages = issuesOf(() => write837P([bad], options())).map((i) => `${i.path}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^claims\[0\]\.subscriber\.name\.family: required, and not empty .*NM103/),
        expect.stringMatching(/^claims\[0\]\.subscriber\.name\.given\[0\]: .*NM104/),
        expect.stringMatching(/^claims\[0\]\.subscriber\.address\.city: must be 2\.\.30 characters \(N401\)/),
        expect.stringMatching(/^claims\[0\]\.coverage\.subscriberId: must be 2\.\.80 characters/),
      ]),
    );
    const opts = options({ submitter: { name: ':::', contact: { name: 'Billing', phone: 'n/a' } } });
    expect(issuesOf(() => write837P([input()], opts)).map((i) => i.path)).toEqual(['options.submitter.name', 'options.submitter.contact.phone']);
  });

  it('refuses ISA ids with a newline or a non-ASCII character, and an invalid date (no NaN in ISA09)', () => {
    expect(issuesOf(() => write837P([input()], options({ sender: { id: 'SUB\nMITTER' } }))).map((i) => i.path)).toContain('options.sender.id');
    expect(issuesOf(() => write837P([input()], options({ receiver: { id: 'GAMCDÉ', name: 'State Medicaid' } }))).map((i) => i.path)).toContain('options.receiver.id');
    expect(issuesOf(() => write837P([input()], options({ date: new Date('not a date') })))).toEqual([{ path: 'options.date', message: 'must be a valid date (ISA09, GS04, BHT04)' }]);
  });

  it('refuses identifiers it would have to rewrite: member id, prior authorization, CLM01', () => {
    const paths = issuesOf(() => write837P([input({ pcn: 'PCNÑ1', priorAuth: 'PA:1' }, { coverage: coverage({ subscriberId: 'SYNÑ123' }) })], options())).map((i) => i.path);
    expect(paths).toEqual(['claims[0].claim.identifier', 'claims[0].coverage.subscriberId', 'claims[0].claim.insurance.preAuthRef[0]']);
  });

  it('requires the subscriber address, since the subscriber is the patient (2010BA N3/N4)', () => {
    expect(issuesOf(() => write837P([input({}, { subscriber: patient({ address: [] }) })], options()))).toEqual([{ path: 'claims[0].subscriber.address', message: 'required (N3/N4)' }]);
  });

  it('transliterates names, including letters Unicode does not decompose (ß, Ł, Ø, Æ)', () => {
    const text = write837P([input({}, { subscriber: patient({ name: [{ family: 'Strauß-Łukasiewicz', given: ['Søren Æsir'] }] }) })], options());
    expect(text).toContain('NM1*IL*1*STRAUSS-LUKASIEWICZ*SOREN AESIR****MI*');
  });
});

/** Field setters that put one fuzzed value where input enters the 837P. */
const FIELDS: Record<string, (v: string) => { claim: X12ClaimInput; opts: Write837POptions }> = {
  family: (v) => ({ claim: input({}, { subscriber: patient({ name: [{ family: v, given: ['Ann'] }] }) }), opts: options() }),
  given: (v) => ({ claim: input({}, { subscriber: patient({ name: [{ family: 'Doe', given: [v] }] }) }), opts: options() }),
  city: (v) => ({ claim: input({}, { subscriber: patient({ address: [{ line: ['1 Elm St'], city: v, state: 'GA', postalCode: '30303' }] }) }), opts: options() }),
  line1: (v) => ({ claim: input({}, { billingProvider: agency({ address: [{ line: [v], city: 'Atlanta', state: 'GA', postalCode: '30303-0000' }] }) }), opts: options() }),
  memberId: (v) => ({ claim: input({}, { coverage: coverage({ subscriberId: v }) }), opts: options() }),
  payerName: (v) => ({ claim: input({}, { payer: payer({ name: v }) }), opts: options() }),
  filing: (v) => ({ claim: { ...input(), claimFilingIndicator: v }, opts: options() }),
  taxonomy: (v) => ({ claim: input({}, { rendering: { practitioner: input().rendering.practitioner, practitionerRole: peerRole({ specialty: [{ coding: [{ system: NUCC, code: v }] }] }) }, claim: { ...input().claim, careTeam: [{ ...input().claim.careTeam![0]!, qualification: undefined as never }] } }), opts: options() }),
  priorAuth: (v) => ({ claim: input({ priorAuth: v }), opts: options() }),
  pcn: (v) => ({ claim: input({ pcn: v }), opts: options() }),
  senderId: (v) => ({ claim: input(), opts: options({ sender: { id: v } }) }),
  submitterName: (v) => ({ claim: input(), opts: options({ submitter: { name: v, contact: { name: 'Billing', phone: '5555550100' } } }) }),
  phone: (v) => ({ claim: input(), opts: options({ submitter: { name: 'Agency', contact: { name: 'Billing', phone: v } } }) }),
};

/** Strings full of what breaks X12: delimiters, control characters, line breaks, non-ASCII, over/under length. */
const hostile = fc.oneof(
  fc.string({ maxLength: 90 }),
  fc.string({ unit: fc.constantFrom('*', '~', ':', '^', '\n', '\r', '\t', '\u0000', 'Ñ', 'ß', 'Ł', '😀', ' ', 'A', '1', '-'), maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', 'M', 'MC~NM1*IL', '251S00000X~REF*EI*1', 'n/a', 'x'.repeat(81)),
);

describe('fuzzed input values never produce an injected or malformed segment (property)', () => {
  const runs = process.env['PEER_FHIR_LONG'] === '1' ? 100_000 : 10_000;
  it(`gives a typed error or a file with the same segments as a clean one, following the TR3 rules (${runs} cases)`, async () => {
    // Files the fuzz accepted, checked afterwards against the TR3 situational rules (a sample: parsing is the slow part)
    const accepted: string[] = [];
    const sample = Math.round(runs / 50);
    // The clean shapes of each field: with a valid value, and — for optional elements — with none (REF*G1 left out).
    const valid = (k: string) => (k === 'filing' ? 'MC' : k === 'taxonomy' ? '175T00000X' : k === 'phone' ? '5555550100' : k === 'senderId' ? 'SUBMITTER01' : 'VALUE01');
    const baseline = new Map(
      Object.entries(FIELDS).map(([k, f]) => {
        const shapes = [valid(k), ''].flatMap((v) => {
          const { claim, opts } = f(v);
          try {
            return [JSON.stringify(shape(write837P([claim], opts)))];
          } catch {
            return [];
          }
        });
        return [k, shapes] as const;
      }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(FIELDS)), hostile, (field, value) => {
        const { claim, opts } = FIELDS[field]!(value);
        let text: string;
        try {
          text = write837P([claim], opts);
        } catch (e) {
          expect(e).toBeInstanceOf(X12InputError);
          return;
        }
        expect(baseline.get(field)).toContain(JSON.stringify(shape(text)));
        expect(text).toMatch(/^[\x20-\x7e\n]*$/); // no control or non-ASCII character anywhere
        expect(text.split('~').length).toBe(text.split('~\n').length); // every ~ ends a segment
        if (accepted.length < sample) accepted.push(text);
      }),
      { numRuns: runs },
    );
    const problems = new Set<string>();
    for (const text of accepted) for (const p of await tr3Problems837P(text)) problems.add(p);
    expect([...problems]).toEqual([]);
  }, 300_000);
});
