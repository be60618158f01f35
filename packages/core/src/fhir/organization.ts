import type { Address as FhirAddress, Organization as FhirOrganization, Reference } from 'fhir/r4.js';
import type { Organization } from '../domain/organization.js';
import type { Address } from '../domain/common.js';
import { Profiles, Systems } from '../terminology/systems.js';
import { npiIdentifier, type EntryKey, type TransactionBuilder } from './internal/builder.js';
import { codeable, coding } from './internal/fresh.js';
import { identifierValue } from './internal/resolver.js';

export function organizationKey(npi: string): EntryKey {
  return { resourceType: 'Organization', search: 'identifier', system: Systems.NPI, value: npi };
}

export function addressToFhir(a: Address): FhirAddress {
  // Built member by member, not as a literal: it is part of mapped resources (see internal/fresh.ts).
  const address: FhirAddress = {};
  address.use = 'work';
  address.line = a.line;
  address.city = a.city;
  address.state = a.state;
  address.postalCode = a.postalCode;
  address.country = 'US';
  return address;
}

export function addressFromFhir(a: { line?: string[]; city?: string; state?: string; postalCode?: string } | undefined): Address | undefined {
  if (!a) return undefined;
  return { line: a.line ?? [], city: a.city ?? '', state: a.state ?? '', postalCode: a.postalCode ?? '' };
}

/** Organization (US Core): NPI and EIN identifiers, NUCC taxonomy in `type`. */
export function organizationToFhir(org: Organization): FhirOrganization {
  return {
    resourceType: 'Organization',
    meta: { profile: [Profiles.Organization] },
    identifier: [
      npiIdentifier(org.npi),
      { use: 'official', type: codeable(coding(Systems.V2_0203, 'TAX', 'Tax ID number')), system: Systems.EIN, value: org.taxId },
    ],
    active: true,
    type: [codeable(coding(Systems.NUCC, org.taxonomy))],
    name: org.name,
    ...(org.phone ? { telecom: [{ system: 'phone' as const, value: org.phone, use: 'work' as const }] } : {}),
    address: [addressToFhir(org.address)],
  };
}

export function addOrganization(b: TransactionBuilder, org: Organization): Reference {
  return b.add(organizationKey(org.npi), organizationToFhir(org));
}

export function organizationFromFhir(r: FhirOrganization): unknown {
  return {
    name: r.name,
    npi: identifierValue(r, Systems.NPI),
    taxId: identifierValue(r, Systems.EIN) ?? identifierValue(r, 'http://hl7.org/fhir/sid/us-ein'),
    taxonomy: r.type?.flatMap((t) => t.coding ?? []).find((c) => c.system === Systems.NUCC)?.code,
    address: addressFromFhir(r.address?.[0]),
    ...(r.telecom?.find((t) => t.system === 'phone')?.value ? { phone: r.telecom.find((t) => t.system === 'phone')!.value } : {}),
  };
}
