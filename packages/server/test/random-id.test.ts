// Server-assigned ids are RFC 9562 version 7 UUIDs (https://www.rfc-editor.org/rfc/rfc9562#section-5.7): the first 48
// bits are the Unix time in milliseconds, so ids drawn in a later millisecond sort after earlier ones (what keeps the
// SQLite store's (type, id) index writes at the end of each index), and 74 bits are random.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomId } from '../src/random-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** The 48-bit millisecond timestamp of a version 7 UUID. */
const timestampOf = (id: string): number => Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
const MAX_MS = 2 ** 48 - 1;

describe('randomId: RFC 9562 version 7 UUIDs', () => {
  it('has the version 7 layout and carries the millisecond it was drawn at', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_MS }), (ms) => {
        const id = randomId(ms);
        expect(id).toMatch(UUID_V7);
        expect(timestampOf(id)).toBe(ms);
      }),
    );
  });

  it('an id of a later millisecond sorts after one of an earlier millisecond (as text, as SQLite compares it)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_MS - 1 }), fc.integer({ min: 1, max: 10_000 }), (ms, later) => {
        expect(randomId(ms) < randomId(Math.min(MAX_MS, ms + later))).toBe(true);
      }),
    );
  });

  it('ids of the same millisecond differ (74 random bits)', () => {
    const now = Date.now();
    const ids = new Set(Array.from({ length: 10_000 }, () => randomId(now)));
    expect(ids.size).toBe(10_000);
  });
});
