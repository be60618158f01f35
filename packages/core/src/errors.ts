import type { z } from 'zod';

/**
 * One problem found in an input: where (`attendees[2].participantId`), a stable code, and a message
 * that never contains the offending value.
 * @category Errors
 */
export interface ValidationIssue {
  path: string;
  code: string;
  message: string;
}

/**
 * Base class of every error peer-fhir's core throws.
 *
 * @example
 * ```ts
 * try { toFhir(records); } catch (e) { if (e instanceof PeerFhirError) console.error(e.name, e.message); }
 * ```
 * @category Errors
 */
export class PeerFhirError extends Error {
  /** Stable, machine-readable code (`core.validation`, `client.http.404`, ...); unique per error class. */
  readonly code: string;
  /** Structured, value-free details (paths, counts, positions, codes) — never a value from input or a server. */
  readonly details: Readonly<Record<string, unknown>>;
  /**
   * @param message - text that never contains a value from input or from a server
   * @param options - `code` (defaults to `peer-fhir.error`), value-free `details`, and an optional `cause`
   */
  constructor(message: string, options: PeerFhirErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? 'peer-fhir.error';
    this.details = options.details ?? {};
  }
}

/**
 * Options of {@link PeerFhirError}: a stable code, value-free details and an optional cause.
 * @category Errors
 */
export interface PeerFhirErrorOptions {
  code?: string;
  details?: Readonly<Record<string, unknown>>;
  cause?: unknown;
}

/**
 * Input failed validation. `issues` lists every problem with its path; no PHI value appears in the message.
 *
 * @example
 * ```ts
 * try { parseOrThrow(PeerEncounter, input, 'PeerEncounter'); }
 * catch (e) { if (e instanceof PeerFhirValidationError) console.log(e.issues.map((i) => i.path)); }
 * ```
 * @category Errors
 */
export class PeerFhirValidationError extends PeerFhirError {
  readonly issues: readonly ValidationIssue[];
  readonly recordType: string;
  constructor(recordType: string, issues: readonly ValidationIssue[], code?: string) {
    super(`${recordType} is invalid: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`, {
      code: code ?? 'core.validation',
      details: { recordType, issues },
    });
    this.recordType = recordType;
    this.issues = issues;
  }
}

/**
 * A FHIR resource could not be read back into a domain record (missing element, unknown code, broken reference).
 *
 * @example
 * ```ts
 * try { fromFhir(bundle); } catch (e) { if (e instanceof FhirMappingError) console.error(e.issues); }
 * ```
 * @category Errors
 */
export class FhirMappingError extends PeerFhirValidationError {
  constructor(recordType: string, issues: readonly ValidationIssue[]) {
    super(recordType, issues, 'core.fhir-mapping');
  }
}

/** Render a zod path as `a.b[2].c`. @internal */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

/**
 * Turn zod issues into PHI-safe {@link ValidationIssue}s. Messages are built from the issue kind and its
 * constraint (expected type, allowed codes, sizes) — never from the received value.
 * @internal
 */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[]): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'invalid_union') {
      // Report the branch problems: each has a safe message.
      const nested = issue.errors.flat();
      if (nested.length > 0) {
        out.push(...fromZodIssues(nested.map((n) => ({ ...n, path: [...issue.path, ...n.path] }))));
        continue;
      }
    }
    out.push({ path: formatPath(issue.path), code: issue.code, message: safeMessage(issue) });
  }
  return out;
}

function safeMessage(issue: z.core.$ZodIssue): string {
  if (issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value')) return 'required';
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'invalid_value':
      return `must be one of: ${issue.values.map((v) => String(v)).join(', ')}`;
    case 'too_small':
      return issue.origin === 'array' ? `needs at least ${String(issue.minimum)} item(s)` : `is shorter or smaller than ${String(issue.minimum)}`;
    case 'too_big':
      return issue.origin === 'array' ? `has more than ${String(issue.maximum)} item(s)` : `is longer or larger than ${String(issue.maximum)}`;
    case 'unrecognized_keys':
      // Key names are schema-level, not values.
      return `unknown field(s): ${issue.keys.join(', ')}`;
    case 'invalid_format':
    case 'custom':
      // Our own messages (regex/refine) are written without values.
      return issue.message;
    default:
      return 'is invalid';
  }
}
