/**
 * Continuing-education hours a peer earned toward keeping a credential.
 * @module
 */
import * as z from 'zod';
import { IsoDate, Npi, RecordId } from '../domain/common.js';

/**
 * One continuing-education activity: peer, date, hours, topic, and the credential (by number) it counts toward.
 *
 * @see https://hl7.org/fhir/R4/practitioner-definitions.html#Practitioner.qualification
 * @example
 * ```ts
 * ContinuingEducation.parse({ id: 'ce-1', peerNpi: '1245319599', date: '2025-05-10', hours: 6, topic: 'Ethics in peer support',
 *   credentialNumber: 'NC-12345' });
 * ```
 * @category Workforce
 */
export const ContinuingEducation = z.object({
  id: RecordId,
  peerNpi: Npi,
  date: IsoDate,
  hours: z.number().positive().max(200),
  topic: z.string().trim().min(1).max(200),
  /** Number of the credential these hours count toward (see `Credential.number`); any credential when absent. */
  credentialNumber: z.string().trim().min(1).max(40).optional(),
  provider: z.string().trim().min(1).max(200).optional(),
});
export type ContinuingEducation = z.infer<typeof ContinuingEducation>;
