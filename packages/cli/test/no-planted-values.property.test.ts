// Property (issue 16, acceptance 2, CLI side): whatever a file holds — values and keys with PHI or escape sequences,
// broken JSON, deep nesting, oversized values — the reasons the importer gives and the lines the CLI prints on stderr
// never contain a planted value, and nothing printed carries a control character. 10 000 cases per property in CI,
// 100 000 with PEER_FHIR_LONG=1.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FhirUnprocessableEntityError } from '@peer-fhir/client';
import { csvRow, MAX_VALUE_CHARS, ndjsonRow } from '../src/import/read-rows.js';
import { IMPORT_COLUMNS } from '../src/import/columns.js';
import { safeText } from '../src/internal/io.js';
import { errorLines } from '../src/internal/print-error.js';
import { mdCell } from '../src/internal/report-output.js';

const LONG = process.env['PEER_FHIR_LONG'] === '1';
const RUNS = LONG ? 100_000 : 10_000;
/** Checks of our own escaping (no server or file text reaches an error through them): fewer cases in CI. */
const SMALL_RUNS = LONG ? 100_000 : 1_000;
const TIMEOUT = LONG ? 1_800_000 : 120_000;

// Bracketed so that a hit is an echo, never a coincidence with our own words; may hold escape sequences.
const planted = fc
  .tuple(fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' }), fc.constantFrom('', '\u001b]0;pwned\u0007', '\u001b[2J', '\u009b31m', '\u202e'))
  .map(([s, esc]) => `⟦${esc}${s}⟧`);

const column = fc.constantFrom(...IMPORT_COLUMNS);
const value = fc.oneof(planted, planted.map((p) => p.repeat(Math.ceil((MAX_VALUE_CHARS + 1) / p.length))), planted.map((p) => [p, p]));

/** A generated NDJSON line and the planted values in it. */
const line = fc.oneof(
  // an object with known columns and planted unknown keys
  fc.tuple(fc.dictionary(column, value, { maxKeys: 5 }), fc.dictionary(planted, value, { maxKeys: 3 })).map(([known, unknown]) => {
    const obj = { ...known, ...unknown };
    return { text: JSON.stringify(obj), values: [...Object.keys(unknown), ...Object.values(obj).flat()] };
  }),
  // a value nested deeply
  fc.tuple(planted, fc.integer({ min: 9, max: 200 })).map(([p, depth]) => ({ text: `{"notes":${'{"a":'.repeat(depth)}"${JSON.stringify(p).slice(1, -1)}"${'}'.repeat(depth)}}`, values: [p] })),
  // broken JSON and JSON that is not an object
  planted.map((p) => ({ text: `{"participant_family":"${p}`, values: [p] })),
  planted.map((p) => ({ text: JSON.stringify([p]), values: [p] })),
);

describe('no planted value in any reason or printed line', () => {
  it(`NDJSON rows: reasons name positions, lengths, columns and limits only (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(line, fc.nat(100_000), (l, n) => {
        const r = ndjsonRow(l.text, n + 1);
        if (!('unreadable' in r)) return;
        for (const v of l.values) expect(r.unreadable.reason).not.toContain(v);
        expect(r.unreadable.reason).toBe(safeText(r.unreadable.reason, true));
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it(`CSV records: reasons never hold a value (${SMALL_RUNS} cases)`, () => {
    fc.assert(
      fc.property(fc.dictionary(column, fc.oneof(planted, planted.map((p) => p.repeat(Math.ceil((MAX_VALUE_CHARS + 1) / p.length)))), { minKeys: 1, maxKeys: 6 }), (record) => {
        const r = csvRow(record, 1);
        if ('unreadable' in r) for (const v of Object.values(record)) expect(r.unreadable.reason).not.toContain(v);
      }),
      { numRuns: SMALL_RUNS },
    );
  }, TIMEOUT);

  it(`stderr: errors built from server answers and unexpected errors print no planted value and no control character (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(planted, planted, fc.boolean(), (a, b, debug) => {
        const fromServer = new FhirUnprocessableEntityError({
          method: 'PUT',
          url: `https://fhir.example.test/r4/Patient/${encodeURIComponent(a)}?name=${encodeURIComponent(b)}`,
          template: 'Patient/{id}',
          status: 422,
          operationOutcome: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: a, expression: [`Patient.name.where(family='${b}')`] }] },
        });
        const unexpected = new RangeError(`${a} ${b}`);
        for (const e of [fromServer, unexpected]) {
          const text = errorLines(e, debug).join('\n');
          expect(text).not.toContain(a);
          expect(text).not.toContain(b);
          expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
        }
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it(`Markdown cells: one line, no unescaped pipe or bracket, no raw HTML (${SMALL_RUNS} cases)`, () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
        const cell = mdCell(s);
        expect(cell).not.toMatch(/[\n\r<>]/);
        expect(cell).not.toMatch(/(^|[^\\])(\\\\)*[|[\]`]/);
      }),
      { numRuns: SMALL_RUNS },
    );
  }, TIMEOUT);
});
