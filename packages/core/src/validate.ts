import type { z } from 'zod';
import { fromZodIssues, PeerFhirValidationError, type ValidationIssue } from './errors.js';

/**
 * Outcome of parsing untrusted input: the typed record, or every problem found.
 * @category Validation
 */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[]; error: PeerFhirValidationError };

/**
 * Parse untrusted input with a domain schema; never throws.
 *
 * @param schema - a domain zod schema
 * @param input - untrusted input
 * @param recordType - the record type named in issues
 * @returns the parsed record, or the issues (paths and codes, no values)
 * @example
 * ```ts
 * const r = parseRecord(PeerEncounter, row, 'PeerEncounter');
 * if (!r.ok) console.log(r.issues); // [{ path: 'end', code: 'custom', message: 'end must be after start' }]
 * ```
 * @category Validation
 */
export function parseRecord<S extends z.ZodType>(schema: S, input: unknown, recordType: string): ParseResult<z.output<S>> {
  // reportInput lets us tell a missing field from a wrong one; the input itself never leaves fromZodIssues.
  const r = schema.safeParse(input, { reportInput: true });
  if (r.success) return { ok: true, value: r.data };
  const issues = fromZodIssues(r.error.issues);
  return { ok: false, issues, error: new PeerFhirValidationError(recordType, issues) };
}

/**
 * Parse untrusted input with a domain schema; throws {@link PeerFhirValidationError} listing every problem.
 *
 * @param schema - a domain zod schema
 * @param input - untrusted input
 * @param recordType - the record type named in errors
 * @returns the parsed record
 * @example
 * ```ts
 * const enc = parseOrThrow(PeerEncounter, row, 'PeerEncounter');
 * ```
 * @category Validation
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, recordType: string): z.output<S> {
  const r = parseRecord(schema, input, recordType);
  if (!r.ok) throw r.error;
  return r.value;
}
