import { z } from 'zod';
import { Address, DatePeriod, Gender, IsoDate, PersonName, RecordId } from './common.js';

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
  coverages: z.array(MedicaidCoverage).default([]),
});
export type Participant = z.infer<typeof Participant>;
