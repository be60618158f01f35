// The B1 speed-ups rewrote a few internals (hash text, base64, date and NPI checks, the builder's key cache). Each is
// checked here against the implementation it replaced, copied below as the oracle: output must not change by a byte.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Encounter, Group } from 'fhir/r4.js';
import { IsoDate, IsoDateTime, Npi } from '../src/domain/common.js';
import { base64ToUtf8, utf8ToBase64 } from '../src/fhir/internal/base64.js';
import { TransactionBuilder, type EntryKey } from '../src/fhir/internal/builder.js';
import { hashPrefix, stableUuid, stableUuidAfter } from '../src/fhir/internal/hash.js';
import { identifierSystems } from '../src/terminology/identifiers.js';

function oldCyrb128(str: string): [number, number, number, number] {
  let h1 = 1779033703, h2 = 3144134277, h3 = 1013904242, h4 = 2773480762;
  for (let i = 0; i < str.length; i++) {
    const k = str.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

function oldStableUuid(input: string): string {
  const hex = (n: number) => n.toString(16).padStart(8, '0');
  const [a, b, c, d] = oldCyrb128(input);
  const hb = hex(b), hc = hex(c);
  const variant = (((c >>> 28) & 0x3) | 0x8).toString(16);
  return `${hex(a)}-${hb.slice(0, 4)}-4${hb.slice(5, 8)}-${variant}${hc.slice(1, 4)}-${hc.slice(4, 8)}${hex(d)}`;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
function oldUtf8ToBase64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i]!, b1 = bytes[i + 1], b2 = bytes[i + 2];
    out += ALPHABET[b0 >> 2]!;
    out += ALPHABET[((b0 & 3) << 4) | ((b1 ?? 0) >> 4)]!;
    out += b1 === undefined ? '=' : ALPHABET[((b1 & 15) << 2) | ((b2 ?? 0) >> 6)]!;
    out += b2 === undefined ? '=' : ALPHABET[b2 & 63]!;
  }
  return out;
}

function oldIsRealDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}/.test(s)) return true;
  const [y, m, d] = s.slice(0, 10).split('-').map(Number) as [number, number, number];
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

function oldNpiOk(npi: string): boolean {
  if (!/^\d{10}$/.test(npi)) return false;
  let sum = 24;
  for (let i = 8; i >= 0; i--) {
    let d = npi.charCodeAt(i) - 48;
    if ((8 - i) % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10 === npi.charCodeAt(9) - 48;
}

/** Issues as ValidationIssue-relevant fields, to compare two parses. */
const outcome = (r: { success: boolean; error?: { issues: { code: string; message: string; path: PropertyKey[] }[] } }) =>
  r.success ? 'ok' : JSON.stringify(r.error!.issues.map((i) => [i.code, i.message, i.path]));

describe('stable fullUrl hash', () => {
  it('gives the same UUID text as before, whole or continued after a hashed prefix', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (prefix, rest) => {
        expect(stableUuid(prefix + rest)).toBe(oldStableUuid(prefix + rest));
        expect(stableUuidAfter(hashPrefix(prefix), rest)).toBe(oldStableUuid(prefix + rest));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('utf8ToBase64', () => {
  it('encodes like the byte-by-byte encoder it replaced, ASCII or not, short or long', () => {
    const samples = ['', 'a', 'ab', 'abc', 'abcd', 'héllo ✓ 😀', '\u{10FFFF}', 'lone \uD800 surrogate', '\uDC00', 'x'.repeat(20_000), 'é'.repeat(20_000)];
    for (const s of samples) expect(utf8ToBase64(s)).toBe(oldUtf8ToBase64(s));
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme-ascii' }), (any, ascii) => {
        expect(utf8ToBase64(any)).toBe(oldUtf8ToBase64(any));
        expect(utf8ToBase64(ascii)).toBe(oldUtf8ToBase64(ascii));
        expect(base64ToUtf8(utf8ToBase64(ascii))).toBe(ascii);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('date checks', () => {
  const p2 = (n: number) => String(n).padStart(2, '0');
  it('accept and refuse exactly the calendar dates the Date-based check did (years 0-99 included)', () => {
    for (const y of [0, 1, 99, 100, 104, 1600, 1700, 1900, 2000, 2023, 2024, 2100, 2400, 9999]) {
      for (let m = 0; m <= 13; m++) {
        for (let d = 0; d <= 32; d++) {
          const day = `${String(y).padStart(4, '0')}-${p2(m)}-${p2(d)}`;
          const real = oldIsRealDate(day);
          expect(IsoDate.safeParse(day).success, day).toBe(real);
          expect(IsoDateTime.safeParse(`${day}T10:00:00Z`).success, day).toBe(real);
        }
      }
    }
  });
  it('report the same issues as before for malformed input', () => {
    const bad = ['', '2024', '2024-1-01', '2024/01/01', '2024-01-01x', ' 2024-01-01', '2024-02-30T10:00:00Z', '2024-02-30T25:00:00Z', '2024-02-30 trailing', '２０２４-01-01'];
    for (const s of bad) {
      const reference = (pattern: RegExp) => {
        const issues: string[] = [];
        if (!pattern.test(s)) issues.push('invalid_format');
        if (!oldIsRealDate(s)) issues.push('custom');
        return issues;
      };
      const codes = (r: ReturnType<typeof IsoDate.safeParse>) => (r.success ? [] : r.error.issues.map((i) => i.code));
      expect(codes(IsoDate.safeParse(s)), s).toEqual(reference(/^\d{4}-\d{2}-\d{2}$/));
      expect(codes(IsoDateTime.safeParse(s)), s).toEqual(
        reference(/^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-](0\d|1[0-4]):[0-5]\d)$/),
      );
    }
  });
});

describe('NPI schema', () => {
  it('accepts and refuses what the regex + isValidNpi check did, with the same issues', () => {
    const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 8, maxLength: 11 });
    fc.assert(
      fc.property(fc.oneof(digits, fc.string()), (s) => {
        const r = Npi.safeParse(s);
        expect(r.success).toBe(oldNpiOk(s));
        if (!r.success) expect(outcome(r)).toContain(/^\d{10}$/.test(s) ? 'NPI check digit is invalid' : 'must be 10 digits');
      }),
      { numRuns: 3000 },
    );
  });
});

describe('TransactionBuilder key cache', () => {
  const ids = identifierSystems({ agency: '1234567893' });
  const key = (system: string, value: string): EntryKey => ({ resourceType: 'Group', search: 'identifier', system, value });

  it('treats two keys with the same `type|system|value` text as one entry, as when entries were kept by fullUrl', () => {
    const b = new TransactionBuilder(ids);
    const g1: Group = { resourceType: 'Group', type: 'person', actual: true };
    const g2: Group = { resourceType: 'Group', type: 'person', actual: false };
    const first = b.add(key('urn:a|b', 'c'), g1);
    const second = b.add(key('urn:a', 'b|c'), g2);
    expect(second).toEqual(first);
    expect(b.toBundle().entry).toHaveLength(1);
    expect(b.issues.map((i) => i.code)).toEqual(['conflicting_duplicate']);
  });

  it('asks `existing` once per key and answers has/ref/refIfPresent alike', () => {
    const asked: string[] = [];
    const b = new TransactionBuilder(ids, (k) => (asked.push(k.value), k.value === 'known' ? 'Group/7' : undefined));
    for (let i = 0; i < 3; i++) {
      expect(b.has(key(ids.peerGroup, 'known'))).toBe(true);
      expect(b.ref(key(ids.peerGroup, 'known'))).toEqual({ reference: 'Group/7' });
      expect(b.refIfPresent(key(ids.peerGroup, 'known'))).toEqual({ reference: 'Group/7' });
      expect(b.has(key(ids.peerGroup, 'unknown'))).toBe(false);
      expect(b.refIfPresent(key(ids.peerGroup, 'unknown'))).toBeUndefined();
      expect(b.ref(key(ids.peerGroup, 'unknown'))).toEqual({ reference: b.fullUrl(key(ids.peerGroup, 'unknown')) });
    }
    expect(asked).toEqual(['known', 'unknown']);
  });

  it('writes fullUrl and ifNoneExist as before', () => {
    const b = new TransactionBuilder(ids);
    const k: EntryKey = { resourceType: 'Encounter', search: 'identifier', system: 'https://ehr.example.org/ids?a=b&c/encounter', value: 'enc-1:p 1' };
    const enc: Encounter = { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' } };
    b.add(k, enc);
    expect(b.toBundle().entry?.[0]).toMatchObject({
      fullUrl: `urn:uuid:${oldStableUuid(`Encounter|${k.system}|${k.value}`)}`,
      request: { method: 'POST', url: 'Encounter', ifNoneExist: `identifier=${encodeURIComponent(k.system)}|${encodeURIComponent(k.value)}` },
    });
  });
});
