import * as z from 'zod';
import { Endorsements } from '../terminology/codes.js';
import { EmailAddress, enumOf, IsoDate, Npi, PersonName, PhoneNumber, StateCode } from './common.js';

/**
 * One peer certification: a kind (CPS, CPRS, CRSS, NCPRSS or a state title), issuer, number and period.
 * Credential names vary by state and board, so `kind` is free text, not an enum.
 *
 * @example
 * ```ts
 * Credential.parse({ kind: 'CPSS', state: 'NC', number: 'NC-12345', issuer: 'NC Certified Peer Support Specialist Program',
 *   issued: '2023-02-01', expires: '2026-01-31', endorsements: ['MH'] });
 * ```
 * @category Domain
 */
export const Credential = z
  .object({
    kind: z.string().trim().min(2).max(40),
    state: StateCode,
    number: z.string().trim().min(1).max(40),
    issuer: z.string().trim().min(1),
    issued: IsoDate,
    expires: IsoDate.optional(),
    endorsements: z.array(enumOf(Endorsements)).default([]),
  })
  .refine((c) => c.expires === undefined || c.expires >= c.issued, {
    message: 'expires is before issued',
    path: ['expires'],
  });
export type Credential = z.infer<typeof Credential>;

/** A licensed clinician who supervises peers or co-signs plans. @category Domain */
export const Clinician = z.object({
  npi: Npi,
  name: PersonName,
  /** Licence or degree, e.g. LCSW, LPC, MD. */
  title: z.string().trim().min(1).max(20).optional(),
});
export type Clinician = z.infer<typeof Clinician>;

/**
 * A certified peer specialist, the rendering provider of peer services.
 *
 * @example
 * ```ts
 * PeerSpecialist.parse({ npi: '1245319599', name: { family: 'Rivera', given: ['Sam'] }, credentials: [],
 *   organizationNpi: '1234567893' });
 * ```
 * @category Domain
 */
export const PeerSpecialist = z.object({
  npi: Npi,
  name: PersonName,
  credentials: z.array(Credential).default([]),
  supervisor: Clinician.optional(),
  /** NPI of the employing or contracting agency. */
  organizationNpi: Npi,
  /**
   * Work phone of the peer in this role (`PractitionerRole.telecom`). US Core PractitionerRole requires contact
   * information (pd-1): without a phone or e-mail the role claims peer-fhir's own profile instead.
   */
  phone: PhoneNumber.optional(),
  /** Work e-mail of the peer in this role (`PractitionerRole.telecom`). */
  email: EmailAddress.optional(),
});
export type PeerSpecialist = z.infer<typeof PeerSpecialist>;
