import type { OperationOutcome } from 'fhir/r4.js';
import {
  FhirBadRequestError,
  FhirConflictError,
  FhirError,
  FhirForbiddenError,
  FhirGoneError,
  FhirNotFoundError,
  FhirPreconditionFailedError,
  FhirServerError,
  FhirTooManyRequestsError,
  FhirUnauthorizedError,
  FhirUnprocessableEntityError,
  type FhirErrorInit,
} from '../errors.js';
import { parseRetryAfter } from './retry.js';

export function asOperationOutcome(body: unknown): OperationOutcome | undefined {
  if (typeof body === 'object' && body !== null && (body as { resourceType?: unknown }).resourceType === 'OperationOutcome') {
    const oo = body as OperationOutcome;
    return Array.isArray(oo.issue) ? oo : { ...oo, issue: [] };
  }
  return undefined;
}

/** Maps an HTTP error response to the matching FhirError subclass. */
export function errorFromResponse(args: {
  status: number;
  method: string;
  url: string;
  template?: string | undefined;
  body: unknown;
  headers?: Headers | undefined;
  now?: number;
}): FhirError {
  const init: FhirErrorInit = {
    status: args.status,
    method: args.method,
    url: args.url,
    template: args.template,
    operationOutcome: asOperationOutcome(args.body),
    headers: args.headers,
  };
  switch (args.status) {
    case 400:
      return new FhirBadRequestError(init);
    case 401:
      return new FhirUnauthorizedError(init);
    case 403:
      return new FhirForbiddenError(init);
    case 404:
      return new FhirNotFoundError(init);
    case 409:
      return new FhirConflictError(init);
    case 410:
      return new FhirGoneError(init);
    case 412:
      return new FhirPreconditionFailedError(init);
    case 422:
      return new FhirUnprocessableEntityError(init);
    case 429:
      return new FhirTooManyRequestsError({
        ...init,
        retryAfterMs: parseRetryAfter(args.headers?.get('retry-after') ?? null, args.now ?? Date.now()),
      });
    default:
      return args.status >= 500 ? new FhirServerError(init) : new FhirError(init);
  }
}
