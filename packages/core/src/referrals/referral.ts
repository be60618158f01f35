/**
 * The Referral domain record and its status machine.
 * @module
 */
import * as z from 'zod';
import { enumOf, IsoDateTime, Npi, RecordId } from '../domain/common.js';
import { PeerFhirError } from '../errors.js';
import { ReferralCategories } from './terminology.js';

/**
 * Referral statuses, the same words as FHIR Task.status (a subset).
 * @see https://hl7.org/fhir/R4/valueset-task-status.html
 * @example
 * ```ts
 * ReferralStatus.parse('accepted');
 * ```
 * @category Referrals
 */
export const ReferralStatus = z.enum(['requested', 'accepted', 'in-progress', 'completed', 'rejected', 'cancelled']);
export type ReferralStatus = z.infer<typeof ReferralStatus>;

/**
 * A closed-loop referral: into peer services (someone refers a participant to the agency) or from peer services to
 * a community resource (housing, food, mutual aid, …). `fulfilledBy` names the encounter or procedure that
 * delivered it and is required once it is completed. `reason` is free text: keep it short and PHI-light.
 *
 * @see http://hl7.org/fhir/us/sdoh-clinicalcare/STU2.1/connecting_applications_with_api_data_sources.html
 * @example
 * ```ts
 * Referral.parse({ id: 'ref-1', participantId: 'p-1', direction: 'into-peer-services', category: 'peer-support',
 *   requester: { npi: '1003000126' }, performer: { name: 'Harbor Peer Agency', npi: '1234567893' },
 *   status: 'requested', authoredOn: '2025-02-01T09:00:00-05:00' });
 * ```
 * @category Referrals
 */
export const Referral = z
  .object({
    id: RecordId,
    participantId: RecordId,
    direction: z.enum(['into-peer-services', 'to-community-resource']),
    category: enumOf(ReferralCategories),
    /** Who asked for it: a clinician or peer (by NPI). */
    requester: z.object({ npi: Npi, kind: z.enum(['practitioner', 'organization']).default('practitioner') }),
    /** Who is asked to deliver it; community organisations often have no NPI. */
    performer: z.object({ name: z.string().trim().min(1).max(200), npi: Npi.optional() }),
    reason: z.string().trim().min(1).max(500).optional(),
    status: ReferralStatus,
    /** Why it was rejected or cancelled (free text, no PHI). */
    statusReason: z.string().trim().min(1).max(200).optional(),
    authoredOn: IsoDateTime,
    lastModified: IsoDateTime.optional(),
    fulfilledBy: z.object({ kind: z.enum(['encounter', 'procedure']), id: RecordId }).optional(),
    /** The referral is part of a 42 CFR Part 2 record (SUD services): its ServiceRequest and Task carry the Part 2 labels. */
    part2: z.boolean().optional(),
  })
  .superRefine((r, ctx) => {
    if (r.status === 'completed' && !r.fulfilledBy) ctx.addIssue({ code: 'custom', path: ['fulfilledBy'], message: 'a completed referral names the encounter or procedure that fulfilled it' });
    if (r.status !== 'completed' && r.fulfilledBy) ctx.addIssue({ code: 'custom', path: ['fulfilledBy'], message: 'only a completed referral is fulfilled' });
    if (r.direction === 'into-peer-services' && r.category !== 'peer-support') ctx.addIssue({ code: 'custom', path: ['category'], message: 'a referral into peer services has category peer-support' });
  });
export type Referral = z.infer<typeof Referral>;

/**
 * Allowed status changes (SDOHCC Task state machine, simplified): requested -> accepted | rejected | cancelled;
 * accepted -> in-progress | completed | cancelled; in-progress -> completed | cancelled; the rest are final.
 *
 * @see http://hl7.org/fhir/us/sdoh-clinicalcare/STU2.1/checking_task_status.html
 * @example
 * ```ts
 * REFERRAL_TRANSITIONS.requested; // ['accepted', 'rejected', 'cancelled']
 * ```
 * @category Referrals
 */
export const REFERRAL_TRANSITIONS: Readonly<Record<ReferralStatus, readonly ReferralStatus[]>> = {
  requested: ['accepted', 'rejected', 'cancelled'],
  accepted: ['in-progress', 'completed', 'cancelled'],
  'in-progress': ['completed', 'cancelled'],
  completed: [],
  rejected: [],
  cancelled: [],
};

/**
 * A status change the referral state machine does not allow (e.g. completed -> accepted).
 * @see http://hl7.org/fhir/us/sdoh-clinicalcare/STU2.1/checking_task_status.html
 * @example
 * ```ts
 * try { assertTransition('completed', 'accepted'); } catch (e) { if (e instanceof ReferralTransitionError) console.log(e.from, e.to); }
 * ```
 * @category Referrals
 */
export class ReferralTransitionError extends PeerFhirError {
  readonly from: ReferralStatus;
  readonly to: ReferralStatus;
  constructor(from: ReferralStatus, to: ReferralStatus) {
    super(`a referral cannot go from ${from} to ${to}`, { code: 'core.referral-transition', details: { from, to } });
    this.from = from;
    this.to = to;
  }
}

/**
 * Throw {@link ReferralTransitionError} unless `from -> to` is allowed (staying in the same status is allowed).
 * @param from - the current referral status
 * @param to - the requested referral status
 * @see http://hl7.org/fhir/us/sdoh-clinicalcare/STU2.1/checking_task_status.html
 * @example
 * ```ts
 * assertTransition('requested', 'accepted'); // ok
 * ```
 * @category Referrals
 */
export function assertTransition(from: ReferralStatus, to: ReferralStatus): void {
  if (from !== to && !REFERRAL_TRANSITIONS[from].includes(to)) throw new ReferralTransitionError(from, to);
}
