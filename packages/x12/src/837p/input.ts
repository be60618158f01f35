import type { Claim, Coverage, Organization, Patient, Practitioner, PractitionerRole } from 'fhir/r4.js';

/**
 * Everything one 837P claim needs: a FHIR R4 professional `Claim` plus the resources it references,
 * already resolved. Build it by hand or with {@link resolveX12ClaimInput}.
 *
 * Mapping (837P 005010X222A1):
 * - `billingProvider` -> 2000A PRV*BI (Organization.type NUCC coding) and 2010AA NM1*85 / N3 / N4 / REF*EI
 * - `subscriber` + `coverage` -> 2000B SBR and 2010BA NM1*IL / N3 / N4 / DMG (the patient is the subscriber)
 * - `payer` -> 2010BB NM1*PR (payer id: identifier with system `…/sid/x12-payer-id`, else the first non-NPI/EIN identifier)
 * - `rendering` -> 2310B NM1*82 + PRV*PE (taxonomy from careTeam.qualification, else PractitionerRole.specialty/code)
 * - `supervising` -> 2310D NM1*DQ
 *
 * @category 837P
 */
export interface X12ClaimInput {
  /** FHIR R4 Claim, `use` = `claim`, `type` = professional. */
  readonly claim: Claim;
  /** Billing provider (Type 2 NPI agency). */
  readonly billingProvider: Organization;
  /** The subscriber; 837P 2000C (patient ≠ subscriber) is not written by this SDK. */
  readonly subscriber: Patient;
  /** The Medicaid coverage the claim is billed to. */
  readonly coverage: Coverage;
  /** The payer Organization. */
  readonly payer: Organization;
  /** The rendering provider (the peer). */
  readonly rendering: { readonly practitioner: Practitioner; readonly practitionerRole?: PractitionerRole };
  /** Optional supervising provider (2310D); omitted when it is the rendering provider. */
  readonly supervising?: Practitioner;
  /** SBR09 claim filing indicator; default `MC` (Medicaid). */
  readonly claimFilingIndicator?: string;
}

/** Normalized, validated claim — every value already in X12 form. Internal. */
export interface NormalizedAddress {
  readonly line1: string;
  readonly line2?: string;
  readonly city: string;
  readonly state: string;
  readonly zip: string;
}

export interface NormalizedLine {
  readonly sequence: number;
  readonly controlNumber: string;
  readonly procedure: string;
  readonly modifiers: readonly string[];
  readonly chargeCents: number;
  readonly units: number;
  readonly pos: string;
  readonly dateFrom: string;
  readonly dateTo?: string;
  readonly pointers: readonly number[];
}

export interface NormalizedClaim {
  readonly patientControlNumber: string;
  readonly totalCents: number;
  readonly pos: string;
  readonly frequency: '1' | '7' | '8';
  readonly payerClaimControlNumber?: string;
  readonly priorAuthorization?: string;
  readonly part2: boolean;
  readonly diagnoses: readonly string[];
  readonly filingIndicator: string;
  readonly billing: {
    readonly name: string;
    readonly npi: string;
    readonly ein: string;
    readonly taxonomy?: string;
    readonly address: NormalizedAddress;
  };
  readonly subscriber: {
    readonly last: string;
    readonly first?: string;
    readonly middle?: string;
    readonly memberId: string;
    readonly address?: NormalizedAddress;
    readonly birthDate: string;
    readonly gender: 'M' | 'F' | 'U';
  };
  readonly payer: { readonly name: string; readonly id: string };
  /** 2310B; `taxonomy` (PRV*PE) is situational and omitted when none is known. */
  readonly rendering: { readonly last: string; readonly first?: string; readonly npi: string; readonly taxonomy?: string };
  readonly supervising?: { readonly last: string; readonly first?: string; readonly npi: string };
  readonly lines: readonly NormalizedLine[];
}
