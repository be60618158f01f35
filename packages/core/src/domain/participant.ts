import * as z from 'zod';
import { BirthSexCodes, OmbEthnicityCategories, OmbRaceCategories } from '../terminology/codes.js';
import { Address, DatePeriod, EmailAddress, enumOf, Gender, IsoDate, LanguageTag, PersonName, PhoneNumber, RecordId } from './common.js';

/**
 * Medicaid coverage of a participant (fee-for-service or a managed-care plan).
 * @category Domain
 */
export const MedicaidCoverage = z.object({
  /** Payer id used on claims (2010BB NM109). */
  payerId: z.string().trim().min(1).max(80),
  payerName: z.string().trim().min(1),
  planName: z.string().trim().min(1).optional(),
  memberId: z.string().trim().min(1).max(80),
  period: DatePeriod,
});
export type MedicaidCoverage = z.infer<typeof MedicaidCoverage>;

/**
 * A person receiving peer services.
 *
 * @example
 * ```ts
 * Participant.parse({ id: 'p-1', mrn: 'MRN001', name: { family: 'Doe', given: ['Jo'] }, birthDate: '1990-04-02',
 *   gender: 'female', coverages: [] });
 * ```
 * @category Domain
 */
export const Participant = z.object({
  /** Stable id of the participant in the source system. */
  id: RecordId,
  mrn: z.string().trim().min(1).max(64).optional(),
  medicaidId: z.string().trim().min(1).max(80).optional(),
  name: PersonName,
  birthDate: IsoDate,
  gender: Gender,
  address: Address.optional(),
  /** Home phone (`Patient.telecom`, US Core must support). */
  phone: PhoneNumber.optional(),
  /** E-mail (`Patient.telecom`). */
  email: EmailAddress.optional(),
  /** Preferred language, BCP-47 (`Patient.communication.language`, US Core must support). */
  language: LanguageTag.optional(),
  /**
   * Race as the person reported it: OMB categories and the text (US Core Race extension; both are required by it
   * when race is given).
   */
  race: z.object({ categories: z.array(enumOf(OmbRaceCategories)).min(1).max(6), text: z.string().trim().min(1).max(200) }).optional(),
  /** Ethnicity as the person reported it: one OMB category and the text (US Core Ethnicity extension). */
  ethnicity: z.object({ category: enumOf(OmbEthnicityCategories), text: z.string().trim().min(1).max(200) }).optional(),
  /** Sex assigned at birth (US Core Birth Sex extension). */
  birthSex: enumOf(BirthSexCodes).optional(),
  coverages: z.array(MedicaidCoverage).default([]),
});
export type Participant = z.infer<typeof Participant>;
