/**
 * A clinical supervision session of one peer (individual) or several (group).
 * @module
 */
import * as z from 'zod';
import { IsoDate, Npi, RecordId } from '../domain/common.js';

/**
 * Supervision of peer specialists by a qualified supervisor: who, whom, when, how long, and what was covered.
 * Topics are short labels (`boundaries`, `documentation`), not case notes: keep PHI out of them.
 *
 * @see https://hl7.org/fhir/R4/encounter.html
 * @example
 * ```ts
 * SupervisionSession.parse({ id: 'sup-1', supervisorNpi: '1003000126', peerNpis: ['1245319599'], date: '2025-03-04',
 *   minutes: 60, mode: 'individual', topics: ['boundaries', 'self-care'] });
 * ```
 * @category Workforce
 */
export const SupervisionSession = z
  .object({
    id: RecordId,
    supervisorNpi: Npi,
    peerNpis: z.array(Npi).min(1).max(50),
    date: IsoDate,
    minutes: z.number().int().min(1).max(600),
    mode: z.enum(['individual', 'group']),
    modality: z.enum(['in-person', 'video', 'audio-only']).default('in-person'),
    topics: z.array(z.string().trim().min(1).max(80)).max(20).default([]),
    /** The agency the supervision is for. */
    organizationNpi: Npi.optional(),
  })
  .superRefine((s, ctx) => {
    if (s.mode === 'individual' && s.peerNpis.length !== 1) ctx.addIssue({ code: 'custom', path: ['peerNpis'], message: 'individual supervision has exactly one peer' });
    if (new Set(s.peerNpis).size !== s.peerNpis.length) ctx.addIssue({ code: 'custom', path: ['peerNpis'], message: 'a peer appears twice' });
    if (s.peerNpis.includes(s.supervisorNpi)) ctx.addIssue({ code: 'custom', path: ['supervisorNpi'], message: 'the supervisor cannot supervise themself' });
  });
export type SupervisionSession = z.infer<typeof SupervisionSession>;
