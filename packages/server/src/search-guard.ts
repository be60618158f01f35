import { getSearchParameter } from '@medplum/core';
import type { OperationOutcome } from 'fhir/r4.js';
import { errorOutcome } from './internal/outcome.js';

/** Why a search is refused: 400 for a malformed/unknown query, 501 for a valid FHIR feature we do not serve. */
export interface SearchRejection {
  status: 400 | 501;
  outcome: OperationOutcome;
}

/** Result parameters the embedded server honours (https://hl7.org/fhir/R4/search.html#return). */
const RESULT_PARAMETERS = new Set(['_count', '_offset', '_sort', '_total', '_summary', '_format', '_pretty']);

/**
 * Standard parameters MemoryRepository 4.5.2 ignores or answers wrongly: answering them would
 * return a silently wrong (often empty) result, so they are refused.
 */
const NOT_IMPLEMENTED: Record<string, string> = {
  _include: '_include is not supported by the embedded server (MemoryRepository 4.5.2 ignores it); read the referenced resources separately',
  _elements: '_elements is not supported by the embedded server (full resources would be returned)',
  _contained: '_contained is not supported by the embedded server',
  _containedType: '_containedType is not supported by the embedded server',
  _filter: '_filter is not supported by the embedded server',
  _type: '_type is only meaningful in a system-level search, which the embedded server does not support',
  _text: '_text (full-text search) is not supported by the embedded server',
  _content: '_content (full-text search) is not supported by the embedded server',
  _list: '_list is not supported by the embedded server',
  _query: 'named queries (_query) are not supported by the embedded server',
  _compartment: '_compartment is not supported by the embedded server; search by patient=Patient/<id> or subject=Patient/<id>',
};

/** Modifiers the 4.5.2 search matcher implements correctly, by search parameter type. */
const SUPPORTED_MODIFIERS: Record<string, ReadonlySet<string>> = {
  string: new Set(['missing', 'exact', 'contains']),
  token: new Set(['missing', 'not']),
};
const KNOWN_MODIFIERS = new Set([
  'missing', 'exact', 'contains', 'text', 'in', 'not-in', 'below', 'above', 'type', 'identifier', 'of-type', 'not',
  'iterate', 'code-text', 'text-advanced',
]);

const RELATIVE_REFERENCE = /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/;

const reject = (status: 400 | 501, code: 'invalid' | 'not-supported' | 'not-found', text: string, expression?: string): SearchRejection => ({
  status,
  outcome: errorOutcome(code, text, expression),
});

/**
 * Check a type-level search query against what MemoryRepository can answer correctly.
 * Returns `undefined` when the search can be served, otherwise the 400/501 response to send.
 */
export function checkSearchQuery(resourceType: string, params: Iterable<[string, string]>): SearchRejection | undefined {
  for (const [key, value] of params) {
    const rejection = checkParameter(resourceType, key, value);
    if (rejection) return rejection;
  }
  return undefined;
}

function checkParameter(resourceType: string, key: string, value: string): SearchRejection | undefined {
  if (key.startsWith('_has:') || key === '_has') {
    return reject(501, 'not-supported', '_has (reverse chaining) is not supported by the embedded server', key);
  }
  const notImplemented = NOT_IMPLEMENTED[key.split(':')[0] ?? key];
  if (notImplemented) return reject(501, 'not-supported', notImplemented, key);
  if (RESULT_PARAMETERS.has(key)) return checkResultParameter(resourceType, key, value);

  const [name = '', modifier, ...extra] = key.split(':');
  if (key.includes('.') || extra.length > 0) {
    return reject(501, 'not-supported', `chained search (${key}) is not supported by the embedded server; search the target type first, then by Type/id`, key);
  }
  const definition = getSearchParameter(resourceType, name);
  if (!definition) {
    return reject(400, 'not-found', `Unknown search parameter '${name}' for resource type ${resourceType}`, key);
  }
  const type = definition.type;
  if (type === 'composite' || type === 'special') {
    return reject(501, 'not-supported', `${type} search parameter '${name}' is not supported by the embedded server`, key);
  }
  if (modifier !== undefined && modifier !== 'missing') {
    const isTypeModifier = type === 'reference' && /^[A-Z][A-Za-z]+$/.test(modifier);
    if (!isTypeModifier && !SUPPORTED_MODIFIERS[type]?.has(modifier)) {
      return KNOWN_MODIFIERS.has(modifier)
        ? reject(501, 'not-supported', `modifier ':${modifier}' on ${type} parameter '${name}' is not supported by the embedded server`, key)
        : reject(400, 'invalid', `Unknown search modifier ':${modifier}' on parameter '${name}'`, key);
    }
  }
  if (type === 'reference' && modifier !== 'missing') {
    for (const ref of value.split(',')) {
      if (!RELATIVE_REFERENCE.test(ref)) {
        // MemoryRepository compares the literal reference string: a bare id or an absolute URL matches nothing.
        return reject(501, 'not-supported', `reference search '${key}=${ref}' is not supported by the embedded server: give the reference as Type/id (e.g. ${name}=Patient/123)`, key);
      }
    }
  }
  return undefined;
}

function checkResultParameter(resourceType: string, key: string, value: string): SearchRejection | undefined {
  switch (key) {
    case '_count':
    case '_offset':
      return /^\d+$/.test(value) ? undefined : reject(400, 'invalid', `${key} must be a non-negative integer, got '${value}'`, key);
    case '_total':
      return ['none', 'estimate', 'accurate'].includes(value) ? undefined : reject(400, 'invalid', `_total must be none, estimate or accurate`, key);
    case '_summary':
      if (value === 'count' || value === 'false') return undefined;
      return reject(501, 'not-supported', `_summary=${value} is not supported by the embedded server (only count and false)`, key);
    case '_sort':
      for (const field of value.split(',')) {
        const name = field.startsWith('-') ? field.slice(1) : field;
        if (!getSearchParameter(resourceType, name)) {
          return reject(400, 'invalid', `Cannot sort by unknown search parameter '${name}' for resource type ${resourceType}`, key);
        }
      }
      return undefined;
    default:
      return undefined;
  }
}
