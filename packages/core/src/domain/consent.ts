import * as z from 'zod';
import { ConsentKinds, Purposes } from '../terminology/codes.js';
import { DatePeriod, enumOf, IsoDate, IsoDateTime, Npi, PersonName, RecordId } from './common.js';

/** Who may receive the information: an organization or practitioner, by NPI or another identifier. @category Domain */
export const ConsentRecipient = z
  .object({
    kind: z.enum(['organization', 'practitioner']),
    name: z.string().trim().min(1),
    npi: Npi.optional(),
    identifier: z.object({ system: z.string().min(1), value: z.string().min(1) }).optional(),
    /**
     * A practitioner recipient's name in parts. US Core Practitioner requires `name.family`; without it the
     * Practitioner carries `name` as text and claims peer-fhir's recipient profile instead.
     */
    personName: PersonName.optional(),
  })
  .refine((r) => r.npi !== undefined || r.identifier !== undefined, { message: 'a recipient needs an NPI or an identifier' })
  .refine((r) => r.personName === undefined || r.kind === 'practitioner', { message: 'only a practitioner recipient has a name in parts', path: ['personName'] });
export type ConsentRecipient = z.infer<typeof ConsentRecipient>;

/** Sensitivity codes (v3-ActCode) a consent's data scope can name. @category Domain */
export const Sensitivity = z.enum(['SUD', 'ETH', 'ETHUD', 'OPIOIDUD', 'MH', 'PSY', 'BH']);
export type Sensitivity = z.infer<typeof Sensitivity>;

/**
 * A consent directive: a Part 2 single TPO consent, a Part 2 consent to named recipients, or a HIPAA authorization.
 * A Part 2 TPO consent may leave `recipients` empty: it then covers "my treating providers, health plans, third-party
 * payers, and people helping to operate this program" (42 CFR 2.31(a)(4)(ii)).
 *
 * @example
 * ```ts
 * ConsentDirective.parse({ id: 'c-1', participantId: 'p-1', kind: 'part2-tpo', status: 'active', recipients: [],
 *   purposes: ['treatment', 'payment', 'operations'], period: { start: '2025-01-02' }, signedDate: '2025-01-02',
 *   disclosingOrganizationNpi: '1234567893' });
 * ```
 * @category Domain
 */
export const ConsentDirective = z
  .object({
    id: RecordId,
    participantId: RecordId,
    kind: enumOf(ConsentKinds),
    status: z.enum(['draft', 'proposed', 'active', 'rejected', 'inactive', 'entered-in-error']),
    recipients: z.array(ConsentRecipient).default([]),
    purposes: z.array(enumOf(Purposes)).min(1),
    /** Which data: FHIR resource types and sensitivities; empty lists mean all. */
    dataScope: z
      .object({ resourceTypes: z.array(z.string().regex(/^[A-Z][A-Za-z]+$/)).default([]), sensitivities: z.array(Sensitivity).default([]) })
      .default({ resourceTypes: [], sensitivities: [] }),
    period: DatePeriod,
    signedDate: IsoDate,
    revokedAt: IsoDateTime.optional(),
    /** The Part 2 program or covered entity permitted to disclose. */
    disclosingOrganizationNpi: Npi,
  })
  .superRefine((c, ctx) => {
    if (c.kind !== 'part2-tpo' && c.recipients.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['recipients'], message: 'this kind of consent names at least one recipient' });
    }
    if (c.revokedAt !== undefined && c.status !== 'inactive') {
      ctx.addIssue({ code: 'custom', path: ['status'], message: 'a revoked consent has status inactive' });
    }
  });
export type ConsentDirective = z.infer<typeof ConsentDirective>;
