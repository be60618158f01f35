// The rules the mapping internals must follow, from the specifications they implement: FHIR R4 (Bundle.entry.fullUrl,
// date and dateTime, conditional create), RFC 4122 (UUIDs), RFC 4648 (base64) and the Gregorian calendar. These
// replace tests that compared the internals with the implementations they replaced.
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import type { Encounter } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { IsoDate, IsoDateTime } from '../src/domain/common.js';
import { base64ToUtf8, utf8ToBase64 } from '../src/fhir/internal/base64.js';
import { TransactionBuilder, type EntryKey } from '../src/fhir/internal/builder.js';
import { hashPrefix, stableUuid, stableUuidAfter } from '../src/fhir/internal/hash.js';
import { identifierSystems } from '../src/terminology/identifiers.js';

// RFC 4122 4.4: a version-4 UUID in lower-case hex (FHIR R4 uuid datatype: urn:uuid: + lower case).
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('stable fullUrl (FHIR R4 Bundle.entry.fullUrl of a new resource: urn:uuid)', () => {
  it('is a version-4, variant-1 UUID in lower case, the same for the same input, whole or continued after a prefix', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (prefix, rest) => {
        const whole = stableUuid(prefix + rest);
        expect(whole).toMatch(UUID_V4);
        expect(stableUuid(prefix + rest)).toBe(whole);
        expect(stableUuidAfter(hashPrefix(prefix), rest)).toBe(whole);
      }),
      { numRuns: 2000 },
    );
  });

  it('differs for different inputs (no collision among 20,000 distinct keys)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(stableUuid(`Encounter|urn:peer-fhir:agency:1234567893:encounter|enc-${i}`));
    expect(seen.size).toBe(20_000);
  });
});

describe('utf8ToBase64 (RFC 4648 section 4, over the UTF-8 bytes)', () => {
  it('gives the RFC 4648 section 10 test vectors', () => {
    const vectors: [string, string][] = [['', ''], ['f', 'Zg=='], ['fo', 'Zm8='], ['foo', 'Zm9v'], ['foob', 'Zm9vYg=='], ['fooba', 'Zm9vYmE='], ['foobar', 'Zm9vYmFy']];
    for (const [text, encoded] of vectors) expect(utf8ToBase64(text)).toBe(encoded);
  });

  it("encodes any text's UTF-8 bytes (a lone surrogate as U+FFFD, as the WHATWG encoder does) and decodes back", () => {
    const samples = ['héllo ✓ 😀', '\u{10FFFF}', 'lone \uD800 surrogate', '\uDC00', 'x'.repeat(20_000), 'é'.repeat(20_000)];
    for (const s of samples) expect(utf8ToBase64(s)).toBe(Buffer.from(s, 'utf8').toString('base64'));
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), (any, wellFormed) => {
        expect(utf8ToBase64(any)).toBe(Buffer.from(any, 'utf8').toString('base64'));
        expect(base64ToUtf8(utf8ToBase64(wellFormed))).toBe(wellFormed);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('date checks (FHIR R4 date / dateTime, Gregorian calendar)', () => {
  const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const daysIn = (y: number, m: number) => [31, leap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] ?? 0;
  const p2 = (n: number) => String(n).padStart(2, '0');

  it('accept exactly the days of the calendar: month 1-12, day 1 to the length of the month, 29 February in leap years', () => {
    for (const y of [1, 4, 99, 100, 104, 1600, 1700, 1900, 2000, 2023, 2024, 2100, 2400, 9999]) {
      for (let m = 0; m <= 13; m++) {
        for (let d = 0; d <= 32; d++) {
          const day = `${String(y).padStart(4, '0')}-${p2(m)}-${p2(d)}`;
          const real = m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m);
          expect(IsoDate.safeParse(day).success, day).toBe(real);
          expect(IsoDateTime.safeParse(`${day}T10:00:00Z`).success, day).toBe(real);
        }
      }
    }
  });

  it('refuse year 0000, which FHIR R4 date excludes (there is no year zero)', () => {
    expect(IsoDate.safeParse('0000-01-01').success).toBe(false);
    expect(IsoDateTime.safeParse('0000-01-01T10:00:00Z').success).toBe(false);
  });

  it('refuse what is not a date YYYY-MM-DD, or a dateTime with seconds and a time zone (FHIR: a time needs a zone)', () => {
    const notDates = ['', '2024', '2024-1-01', '2024/01/01', '2024-01-01x', ' 2024-01-01', '２０２４-01-01', '2024-02-30'];
    for (const s of notDates) expect(IsoDate.safeParse(s).success, s).toBe(false);
    const notDateTimes = ['2024-01-01T10:00:00', '2024-01-01T24:00:00Z', '2024-01-01T10:60:00Z', '2024-02-30T10:00:00Z', '2024-01-01T10:00:00+15:00', '2024-01-01 10:00:00Z'];
    for (const s of notDateTimes) expect(IsoDateTime.safeParse(s).success, s).toBe(false);
    for (const s of ['2024-01-01T10:00:00Z', '2024-01-01T23:59:59.123+05:30', '2024-01-01T00:00:00-14:00']) expect(IsoDateTime.safeParse(s).success, s).toBe(true);
  });
});

describe('TransactionBuilder (FHIR R4 transaction with conditional create)', () => {
  const ids = identifierSystems({ agency: '1234567893' });
  const key = (system: string, value: string): EntryKey => ({ resourceType: 'Group', search: 'identifier', system, value });

  it('asks `existing` once per key; a known record is referenced by its id, a new one by its fullUrl', () => {
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

  it('creates a new record with POST, a urn:uuid fullUrl and ifNoneExist on its identifier (system|value, URL-encoded)', () => {
    const b = new TransactionBuilder(ids);
    const k: EntryKey = { resourceType: 'Encounter', search: 'identifier', system: 'https://ehr.example.org/ids?a=b&c/encounter', value: 'enc-1:p 1' };
    const enc: Encounter = { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' } };
    b.add(k, enc);
    const entry = b.toBundle().entry?.[0];
    expect(entry?.fullUrl).toMatch(/^urn:uuid:/);
    expect(entry?.fullUrl?.slice('urn:uuid:'.length)).toMatch(UUID_V4);
    expect(entry?.request).toMatchObject({ method: 'POST', url: 'Encounter', ifNoneExist: `identifier=${encodeURIComponent(k.system)}|${encodeURIComponent(k.value)}` });
    // The same key always gives the same fullUrl, so writing a record again references the same entry.
    expect(new TransactionBuilder(ids).fullUrl(k)).toBe(entry?.fullUrl);
  });

  // The fullUrl is the stable UUID of the text `type|system|value`: keys with the same text, such as (T, 'a|b', 'c')
  // and (T, 'a', 'b|c'), are one record and one entry, in whatever order their systems first appear.
  it('gives keys with the same `type|system|value` text one fullUrl and one entry, and other keys their own', () => {
    // A text of few '|'-separated segments, cut into system and value at one of its '|': texts meet often.
    const keyOf = fc
      .tuple(fc.constantFrom<EntryKey['resourceType']>('Encounter', 'Condition'), fc.array(fc.constantFrom('a', 'b', ''), { minLength: 2, maxLength: 4 }), fc.nat())
      .map(([resourceType, segments, cut]): EntryKey => {
        const at = 1 + (cut % (segments.length - 1));
        return { resourceType, search: 'identifier', system: segments.slice(0, at).join('|'), value: segments.slice(at).join('|') };
      });
    fc.assert(
      fc.property(fc.array(keyOf, { minLength: 1, maxLength: 12 }), (keys) => {
        const b = new TransactionBuilder(ids);
        const enc: Encounter = { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' } };
        const urls = keys.map((k) => b.add(k, enc).reference);
        const texts = keys.map((k) => `${k.resourceType}|${k.system}|${k.value}`);
        for (let i = 0; i < keys.length; i++) {
          expect(urls[i]).toBe(`urn:uuid:${stableUuid(texts[i]!)}`);
          for (let j = 0; j < i; j++) expect(urls[i] === urls[j]).toBe(texts[i] === texts[j]);
        }
        expect(b.toBundle().entry).toHaveLength(new Set(texts).size);
      }),
    );
  });
});
