/**
 * A claim carrying Part 2 data is a disclosure to the payer (42 CFR 2.31, 2.33(b)): one AuditEvent per such claim,
 * for the caller to store before the claims are sent (42 CFR 2.24 / 2.25, 45 CFR 164.528).
 * @module
 */
import type { AuditEvent, Claim } from 'fhir/r4.js';
import { buildDisclosureAuditEvent, Extensions, identifierSystems, isPart2Protected, type DisclosureChannel, type PartyIdentity } from '@peer-fhir/core';
import type { BillingContext } from '../context.js';
import type { BillingLine } from '../decision.js';
import { part2BillingDecision, payerRecipient } from '../edits/consent-part2.js';

/**
 * Options of {@link claimDisclosureAudits}.
 * @see https://hl7.org/fhir/R4/auditevent.html
 * @example
 * ```ts
 * const options: ClaimDisclosureOptions = { discloser: { npi: '1234567893' }, channel: 'x12-837p' };
 * ```
 * @category Claims
 */
export interface ClaimDisclosureOptions {
  /** The billing provider disclosing the claims. */
  discloser: PartyIdentity;
  /** How the claims leave: in an 837P or as FHIR Claims. */
  channel: Extract<DisclosureChannel, 'x12-837p' | 'fhir-claim'>;
  /** When; default the context's `billedAt`. */
  at?: string;
}

/**
 * The consents a claim's disclosure relies on: those permitting its Part 2 lines under the billing rule. A void
 * (frequency 8) has no line of its own (its encounter no longer bills): it repeats the original claim to the payer,
 * so it names the consents that permit that claim under the billing rule, as the original's record did (or, when
 * none does any more, those in effect on its dates of service, which the original relied on).
 */
function consentsRelied(
  claim: Claim,
  lines: readonly BillingLine[],
  ctx: Pick<BillingContext, 'consents' | 'namespace' | 'billedAt' | 'part2ConsentRule'>,
  who: { participantId: string; payerId: string; agency: string },
): string[] {
  const ids = new Set<string>();
  const decide = (dos: string) => part2BillingDecision(ctx, who.participantId, who.payerId, dos, who.agency);
  const mine = lines.filter((l) => l.part2 && l.participantId === who.participantId && l.payerId === who.payerId);
  for (const l of mine) decide(l.dateOfService).consentIds.forEach((id) => ids.add(id));
  if (isVoid(claim)) {
    for (const dos of new Set((claim.item ?? []).flatMap((i) => (i.servicedDate ? [i.servicedDate] : [])))) {
      const d = decide(dos);
      // As the original decided; a consent revoked since still covered it on the date of service (42 CFR 2.31(a)(6)).
      const relied = d.permitted ? d.consentIds : d.atService.decision === 'permit' ? d.atService.consentIds : [];
      relied.forEach((id) => ids.add(id));
    }
  }
  return [...ids];
}

const isVoid = (claim: Claim): boolean => !!claim.extension?.some((e) => e.url === Extensions.ClaimFrequency && e.valueCode === '8');

/**
 * One disclosure AuditEvent per claim that carries Part 2 data (its `meta.security` says so): recipient the payer,
 * purpose payment, the consents relied on under the billing rule (date of service or billing run, see
 * `BillingContext.part2ConsentRule`; a void, which has no line of its own, names the consents that permitted the
 * original claim at its dates of service), the claim and its patient by logical reference (type + identifier), never by
 * content. Returned for the caller to store on its FHIR server before the claims are sent; claims without Part 2
 * data need no accounting entry (HIPAA 45 CFR 164.528(a)(1)(i) excludes payment disclosures).
 *
 * Throws `PeerFhirValidationError` when there is no instant (`options.at` or `ctx.billedAt`).
 *
 * @param claims - the Claims being sent
 * @param lines - the billing lines the claims were built from
 * @param ctx - the billing context's consents, namespace, billing moment and Part 2 consent rule
 * @param options - the discloser, the channel and the moment of disclosure
 * @returns one AuditEvent per claim that carries Part 2 data
 * @see https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2/subpart-B/section-2.24
 * @example
 * ```ts
 * const audits = claimDisclosureAudits(claims, result.lines, ctx, { discloser: { npi: '1234567893' }, channel: 'x12-837p' });
 * for (const audit of audits) await client.create(audit); // before the 837P leaves
 * ```
 * @category Claims
 */
export function claimDisclosureAudits(
  claims: readonly Claim[],
  lines: readonly BillingLine[],
  ctx: Pick<BillingContext, 'consents' | 'namespace' | 'billedAt' | 'part2ConsentRule'>,
  options: ClaimDisclosureOptions,
): AuditEvent[] {
  const at = options.at ?? ctx.billedAt ?? '';
  const out: AuditEvent[] = [];
  for (const claim of claims) {
    if (!isPart2Protected(claim)) continue;
    // Identifiers are the claim's agency's: its billing provider (NPI), else the discloser.
    const agency = claim.provider?.identifier?.value ?? options.discloser.npi ?? '';
    const ids = identifierSystems({ agency, namespace: ctx.namespace });
    const participantId = claim.patient.identifier?.system === ids.participant ? claim.patient.identifier.value : undefined;
    const payerId = claim.insurer?.identifier?.value;
    const consentIds = participantId !== undefined && payerId !== undefined ? consentsRelied(claim, lines, ctx, { participantId, payerId, agency }) : [];
    const claimId = claim.identifier?.find((i) => i.system === ids.claim) ?? claim.identifier?.[0];
    out.push(
      buildDisclosureAuditEvent({
        discloser: options.discloser,
        recipient: payerRecipient(payerId ?? '', agency, ctx.namespace),
        purpose: 'payment',
        consentIds,
        at,
        resources: [claimId === undefined ? { type: 'Claim' } : { type: 'Claim', identifier: claimId }],
        patients: [claim.patient],
        part2: true,
        channel: options.channel,
      }),
    );
  }
  return out;
}
