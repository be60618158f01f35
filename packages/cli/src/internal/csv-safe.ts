/**
 * CSV cells a spreadsheet would run as a formula (CSV injection, CWE-1236): a cell starting with `=`, `+`, `-`, `@`,
 * tab or carriage return. OWASP's advice is to prefix such a cell with an apostrophe, which spreadsheets show as text.
 * The importer removes that apostrophe again, so a rejects file can be fixed and imported as it is.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEUTRALISED = /^'[=+\-@\t\r]/;

/** `=HYPERLINK(...)` -> `'=HYPERLINK(...)`; any other cell unchanged. */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** The inverse of {@link neutraliseFormula}, applied to every CSV cell the importer reads. */
export function restoreFormula(value: string): string {
  return NEUTRALISED.test(value) ? value.slice(1) : value;
}
