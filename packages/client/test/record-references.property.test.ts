// Property: recordAll rewrites the references it is given (urn:uuid -> Type/id, what `PeerClient.recordEncounters`
// hands it for the roster and shared entries) in the same walk that checks each record, and sends exactly the records'
// entries in order with those `reference` values replaced and nothing else changed
// (https://hl7.org/fhir/R4/bundle.html#references); a record whose resource names a urn:uuid that is neither rewritten
// nor the fullUrl of one of its own entries is rejected, never sent; the caller's entries are left as they were.
// Whatever the values: quotes, backslashes, non-string references, `reference` keys at any depth.
import fc from 'fast-check';
import type { Bundle, BundleEntry } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { recordAll, type RecordEntries } from '../src/record-all.js';

const LONG = process.env['PEER_FHIR_LONG'] === '1';

const LOCAL = ['urn:uuid:00000000-0000-4000-8000-000000000001', 'urn:uuid:00000000-0000-4000-8000-000000000002'];
const MAPPED = ['urn:uuid:00000000-0000-4000-8000-00000000000a', 'urn:uuid:00000000-0000-4000-8000-00000000000b'];
const FOREIGN = ['urn:uuid:00000000-0000-4000-8000-0000000000ff', 'urn:uuid:with"quote', 'urn:uuid:'];
const REFERENCES: ReadonlyMap<string, string> = new Map([
  [MAPPED[0] ?? '', 'Patient/p-1'],
  [MAPPED[1] ?? '', 'Group/"odd\\id'],
]);

const str = fc.oneof(fc.constantFrom(...LOCAL, ...MAPPED, ...FOREIGN, 'Patient/1', '\\', '"'), fc.string({ maxLength: 6 }));
const key = fc.constantFrom('reference', 'display', 'subject', 'a');

/** A JSON tree whose objects often hold `reference` keys, with string or other values. */
const { tree } = fc.letrec<{ tree: unknown }>((t) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, str, fc.integer(), fc.constant(null), fc.array(t('tree'), { maxLength: 3 }), fc.dictionary(key, t('tree'), { maxKeys: 4 })),
}));

const entry = fc.record({
  fullUrl: fc.option(fc.constantFrom(...LOCAL, ...FOREIGN, 'Patient/x'), { nil: undefined }),
  resource: fc.record({ resourceType: fc.constant('Basic'), extension: fc.array(tree, { maxLength: 3 }), subject: fc.record({ reference: str }) }),
  request: fc.record({ method: fc.constant('POST' as const), url: fc.constant('Basic'), ifNoneExist: fc.constant('identifier=urn:x|1') }),
});
const records = fc.array(fc.array(entry, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 5 });

/** The model: every `reference` key's string value found in the map replaced, anywhere below `value`. */
function rewritten(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewritten);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'reference' && typeof v === 'string' ? (REFERENCES.get(v) ?? v) : rewritten(v)]));
}

/** The model: a `reference` key's string value that is a urn:uuid neither rewritten nor in `local`. */
function pointsOutside(value: unknown, local: ReadonlySet<string>): boolean {
  if (Array.isArray(value)) return value.some((v) => pointsOutside(v, local));
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([k, v]) => (k === 'reference' && typeof v === 'string' ? v.startsWith('urn:uuid:') && !REFERENCES.has(v) && !local.has(v) : pointsOutside(v, local)));
}

describe('recordAll with references to rewrite', () => {
  it(`sends every record's entries with exactly the mapped references rewritten, and rejects records pointing outside themselves (${LONG ? '20k' : '300'} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(records, async (given) => {
        const recs = given as RecordEntries[];
        const before = JSON.stringify(recs);
        const sent: BundleEntry[] = [];
        const run = async (bundle: Bundle): Promise<Bundle> => {
          sent.push(...(bundle.entry ?? []));
          return { resourceType: 'Bundle', type: 'transaction-response', entry: (bundle.entry ?? []).map(() => ({ response: { status: '201 Created' } })) };
        };
        const summary = await recordAll(run, recs, { bundleSize: 4, concurrency: 1 }, undefined, REFERENCES);

        const outside = recs.map((entries) => {
          const local = new Set(entries.map((e) => e.fullUrl).filter((u): u is string => u?.startsWith('urn:uuid:') === true));
          return entries.some((e) => pointsOutside(e.resource, local));
        });
        expect(summary.records.map((r) => r.status)).toEqual(outside.map((o) => (o ? 'rejected' : 'created')));
        expect(sent).toEqual(recs.filter((_r, i) => !outside[i]).flatMap((entries) => entries.map(rewritten)));
        expect(JSON.stringify(recs)).toBe(before);
      }),
      { numRuns: LONG ? 20_000 : 300, seed: 18 },
    );
  });
});
