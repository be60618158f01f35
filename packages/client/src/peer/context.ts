import type { IdentifierSystems, IdentityScope, RecordKeys } from '@peer-fhir/core';
import type { PeerFhirClient } from '../client.js';
import type { KeyLookup, ResourceCache } from '../internal/peer-lookup.js';

/** What every peer operation works with; one per `PeerClient`. */
export interface PeerContext {
  client: PeerFhirClient;
  /** The agency (and namespace prefix) every identifier is scoped to; core's mapping options. */
  scope: IdentityScope;
  keys: RecordKeys;
  ids: IdentifierSystems;
  lookup: KeyLookup;
  cache: ResourceCache;
}

/** core's mapping options for this client's agency. */
export const ns = (ctx: PeerContext): { agency: string; namespace?: string } =>
  ctx.scope.namespace === undefined ? { agency: ctx.scope.agency } : { agency: ctx.scope.agency, namespace: ctx.scope.namespace };
