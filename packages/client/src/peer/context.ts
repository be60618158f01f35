import type { IdentifierSystems, RecordKeys } from '@peer-fhir/core';
import type { PeerFhirClient } from '../client.js';
import type { KeyLookup, ResourceCache } from '../internal/peer-lookup.js';

/** What every peer operation works with; one per `PeerClient`. */
export interface PeerContext {
  client: PeerFhirClient;
  namespace: string | undefined;
  keys: RecordKeys;
  ids: IdentifierSystems;
  lookup: KeyLookup;
  cache: ResourceCache;
}

export const ns = (ctx: PeerContext): { namespace?: string } => (ctx.namespace === undefined ? {} : { namespace: ctx.namespace });
