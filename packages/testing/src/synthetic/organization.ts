/**
 * The billing agency, its Medicaid payers and its supervising clinicians.
 * @module
 */
import type { Address, Clinician, Organization } from '@peer-fhir/core';
import { CITIES, type StateProfile } from './geography.js';
import { familyName, organizationName, personName, streetLine } from './names.js';
import type { NpiMinter } from './npi.js';
import type { Random } from './random.js';

/**
 * A Medicaid payer participants are covered by: the state's fee-for-service program or a managed-care plan.
 *
 * @example
 * ```ts
 * const payer: SyntheticPayer = { payerId: 'SYNNCMCD', payerName: 'NC Medicaid (synthetic)' };
 * ```
 * @category Synthetic data
 */
export interface SyntheticPayer {
  /** Payer id used on claims (2010BB NM109). */
  payerId: string;
  payerName: string;
  /** Managed-care plan name; absent for fee-for-service. */
  planName?: string;
}

/** An address in the state with a plausible ZIP code. */
export function addressIn(rng: Random, state: StateProfile): Address {
  const [lo, hi] = state.zipPrefix;
  const zip = String(rng.int(lo, hi)).padStart(3, '0') + rng.digits(2);
  return { line: [streetLine(rng)], city: rng.pick(CITIES), state: state.code, postalCode: zip };
}

/** A phone number in the 555-01xx range reserved for fiction. */
export function fictionalPhone(rng: Random): string {
  return `${rng.int(2, 9)}${rng.digits(2)}55501${rng.digits(2)}`;
}

/** The agency: type 2 NPI, EIN, taxonomy 251S00000X Community/Behavioral Health. */
export function makeOrganization(rng: Random, npis: NpiMinter, state: StateProfile): Organization {
  return {
    name: organizationName(rng, 'Peer Recovery Collective'),
    npi: npis.next(),
    taxId: String(rng.int(10, 99)) + rng.digits(7),
    taxonomy: '251S00000X',
    address: addressIn(rng, state),
    phone: fictionalPhone(rng),
  };
}

/** The state fee-for-service program and two managed-care plans. */
export function makePayers(rng: Random, state: StateProfile): SyntheticPayer[] {
  return [
    { payerId: `SYN${state.code}MCD`, payerName: `${state.code} Medicaid (synthetic)` },
    { payerId: 'SYNMCO01', payerName: `${familyName(rng)} Health Plan (synthetic)`, planName: 'Medicaid Managed Care' },
    { payerId: 'SYNMCO02', payerName: `${familyName(rng)} Community Care (synthetic)`, planName: 'Tailored Plan' },
  ];
}

const TITLES = ['LCSW', 'LPC', 'LCAS', 'LMFT', 'PhD', 'MD', 'PMHNP'] as const;

/** One supervising clinician per four specialists (at least one). */
export function makeSupervisors(rng: Random, npis: NpiMinter, specialists: number): Clinician[] {
  return Array.from({ length: Math.max(1, Math.ceil(specialists / 4)) }, () => {
    const gender = rng.chance(0.5) ? 'female' : 'male';
    return { npi: npis.next(), name: personName(rng, gender), title: rng.pick(TITLES) };
  });
}
