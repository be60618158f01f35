/**
 * The patient control number (837P CLM01 -> 835 CLP01, 277CA, 999): at most 20 characters (what a payer must return),
 * unchanged by upper-casing, and one per claim group (issue 14). Expected values are SHA-256 (FIPS 180-4) in RFC 4648
 * base32hex, computed independently (Python hashlib + base64.b32hexencode).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildClaims, evaluate, getPack, patientControlNumber } from '../src/index.js';
import { context, participant, PAYER_ID } from './support/factories.js';

const LONG = process.env.PEER_FHIR_LONG === '1';
const RUNS = LONG ? 100_000 : 10_000;

describe('patientControlNumber', () => {
  it('is the first 100 bits of SHA-256 of the group key in base32hex', () => {
    expect(patientControlNumber('')).toBe('SEOC8GKOVGE196NRUJ49');
    expect(patientControlNumber('1234567893|p-1|MCD01|M123|2019-01-01|2025-01')).toBe('2SIAI329B48UFA9EMQ8P');
  });

  it('is 20 upper-case-safe characters for any group key', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (key) => {
        const n = patientControlNumber(key);
        return /^[0-9A-V]{20}$/.test(n) && n.toUpperCase() === n;
      }),
      { numRuns: 1_000, seed: 14 },
    );
  });

  it(`gives ${RUNS.toLocaleString('en-US')} claim groups of one agency ${RUNS.toLocaleString('en-US')} distinct numbers`, () => {
    // Group keys as billing builds them (agency, participant, payer, member, coverage start, month), all distinct
    const keys = Array.from({ length: RUNS }, (_, i) => `1234567893|p-${i}|MCD0${i % 7}|M${(i * 7919) % 100_003}|2019-01-01|2025-${String((i % 12) + 1).padStart(2, '0')}`);
    const numbers = keys.map(patientControlNumber);
    expect(new Set(numbers).size).toBe(keys.length);
  });
});

describe('claim identifiers', () => {
  const pack = getPack('tx-medicaid-peer-specialist-2019');

  it('are the patient control number, and billing the same lines again gives the same one', () => {
    const lines = evaluate(context(pack)).lines;
    const [a] = buildClaims(lines, { pack, created: '2025-02-01' });
    const [b] = buildClaims(lines, { pack, created: '2025-03-01' });
    expect(a!.identifier![0]!.value).toMatch(/^[0-9A-V]{20}$/);
    expect(b!.identifier![0]!.value).toBe(a!.identifier![0]!.value);
  });

  it('differ for two coverages of the same payer in one month (the whole grouping key is hashed)', () => {
    const p = participant({
      coverages: [
        { payerId: PAYER_ID, payerName: 'State Medicaid Plan', memberId: 'M123', period: { start: '2019-01-01', end: '2025-01-15' } },
        { payerId: PAYER_ID, payerName: 'State Medicaid Plan', memberId: 'M124', period: { start: '2025-01-16' } },
      ],
    });
    const encounters = context(pack).encounters;
    const second = { ...encounters[0]!, id: 'enc-late', start: '2025-01-20T10:00:00-05:00', end: '2025-01-20T11:00:00-05:00' };
    const claims = buildClaims(evaluate(context(pack, { participants: [p], encounters: [...encounters, second] })).lines, { pack, created: '2025-02-01' });
    expect(claims).toHaveLength(2);
    expect(new Set(claims.map((c) => c.identifier![0]!.value)).size).toBe(2);
  });
});
