import type { Encounter, EncounterLocation, Location, Meta, Reference } from 'fhir/r4.js';
import { blank, blankResource, keyIdentifier, list } from './internal/fresh.js';
import type { EncounterLocation as DomainLocation, PeerEncounter } from '../domain/encounter.js';
import { Profiles } from '../terminology/systems.js';
import type { EntryKey, TransactionBuilder } from './internal/builder.js';
import type { ResourceIndex } from './internal/resolver.js';
import { identifierValue } from './internal/resolver.js';
import { addressFromFhir, addressToFhir, organizationKey } from './organization.js';

/**
 * The named place of an encounter as a US Core Location (identifier scoped to the agency, name, address, the agency as
 * managing organization), referenced from `Encounter.location` (US Core must-support). Encounters without a named
 * place have no `location`: their setting is carried as `class`, the setting extension and the place of service.
 */
export function encounterLocation(b: TransactionBuilder, e: PeerEncounter, idx: number): Encounter['location'] {
  const where = e.location;
  if (!where) return undefined;
  const key: EntryKey = { resourceType: 'Location', search: 'identifier', system: b.ids.location, value: where.id };
  const managing = b.refIfPresent(organizationKey(e.organizationNpi));
  const location = blankResource<Location>('Location');
  location.meta = blank<Meta>();
  location.meta.profile = list(Profiles.Location);
  location.identifier = list(keyIdentifier(key));
  location.status = 'active';
  location.name = where.name;
  location.mode = 'instance';
  if (where.address) location.address = addressToFhir(where.address);
  if (managing) location.managingOrganization = managing;
  const at = blank<EncounterLocation>();
  at.location = b.add(key, location, `encounters[${idx}].location`);
  return list(at);
}

/** Read `Encounter.location` back into the domain's named place (undefined when there is none or it is not in the bundle). */
export function encounterLocationFromFhir(index: ResourceIndex, system: string, enc: Encounter): DomainLocation | Record<string, unknown> | undefined {
  const ref: Reference | undefined = enc.location?.[0]?.location;
  if (!ref) return undefined;
  const location = index.resolve(ref, 'Location');
  if (!location) return undefined;
  const address = addressFromFhir(location.address);
  return { id: identifierValue(location, system), name: location.name, ...(address ? { address } : {}) };
}
