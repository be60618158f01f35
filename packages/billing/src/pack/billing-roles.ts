/**
 * Who the 837P names as billing, rendering and supervising provider, and the claim filing indicator (SBR09).
 * @module
 */
import { z } from 'zod';
import { RuleSource } from './source.js';

/**
 * 837P SBR09 claim filing indicator codes (005010X222A1 code list 1032) a pack may name: `MC` Medicaid, `MB` Medicare
 * Part B, `HM` HMO, `CI` commercial, `BL` Blue Cross/Blue Shield, `11` other non-federal programs, `ZZ` mutually defined.
 *
 * @example
 * ```ts
 * ClaimFilingIndicator.parse('MC');
 * ```
 * @category Rule packs
 */
export const ClaimFilingIndicator = z.enum(['11', '12', '13', '14', '15', '16', '17', 'AM', 'BL', 'CH', 'CI', 'DS', 'FI', 'HM', 'LM', 'MA', 'MB', 'MC', 'OF', 'TV', 'VA', 'WC', 'ZZ']);
export type ClaimFilingIndicator = z.infer<typeof ClaimFilingIndicator>;

/**
 * The payer's rule for the providers a claim names:
 * - `billing`: 2010AA, always the agency (its Type 2 organization NPI);
 * - `rendering`: 2310B, `peer` (the peer specialist, NUCC 175T00000X) or `supervisor` (the supervising practitioner:
 *   peers who cannot enroll bill under the supervisor; Medicare incident-to). With `supervisor` the peer is on the FHIR
 *   Claim as an assisting care-team member but not on the 837P;
 * - `supervising`: 2310D, `supervisor` (the peer's supervisor, when the line names one) or `none`. A supervisor who
 *   renders is not named again as supervising (the TR3 sends 2310D only when it differs from 2310B);
 * - `claimFilingIndicator`: SBR09.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md
 * @example
 * ```json
 * { "billing": "agency", "rendering": "peer", "supervising": "supervisor", "claimFilingIndicator": "MC", "source": { ... } }
 * ```
 * @category Rule packs
 */
export const BillingRolesRule = z
  .strictObject({
    billing: z.literal('agency').default('agency'),
    rendering: z.enum(['peer', 'supervisor']),
    supervising: z.enum(['supervisor', 'none']),
    claimFilingIndicator: ClaimFilingIndicator,
    source: RuleSource,
  })
  .refine((r) => !(r.rendering === 'supervisor' && r.supervising === 'supervisor'), {
    path: ['supervising'],
    message: 'a supervisor who renders is not also the supervising provider: use none',
  });
export type BillingRolesRule = z.infer<typeof BillingRolesRule>;

/**
 * The billing roles a pack states, or for a pack without `billingRoles`: the peer renders, the supervisor supervises,
 * SBR09 `MB` for a Medicare pack and `MC` (Medicaid) otherwise.
 *
 * @param pack - a rule pack (its `billingRoles` and payer kind)
 * @returns who bills, renders and supervises under the pack
 * @example
 * ```ts
 * billingRolesOf(getPack('medicare-pin-ps-2024')).rendering; // 'supervisor'
 * ```
 * @category Rule packs
 */
export function billingRolesOf(pack: { billingRoles?: BillingRolesRule | undefined; payer: { kind: 'medicaid-ffs' | 'medicaid-mco' | 'medicare' } }): Omit<BillingRolesRule, 'source'> {
  if (pack.billingRoles) return pack.billingRoles;
  return { billing: 'agency', rendering: 'peer', supervising: 'supervisor', claimFilingIndicator: pack.payer.kind === 'medicare' ? 'MB' : 'MC' };
}
