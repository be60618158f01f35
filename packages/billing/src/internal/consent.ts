/**
 * Local Part 2 payment-consent check.
 * TODO(core): switch to core's `canDisclose` once @peer-fhir/core exposes consent decisions.
 * @internal
 */
import type { ConsentDirective, MedicaidCoverage } from '@peer-fhir/core';

function namesPayer(c: ConsentDirective, payer: MedicaidCoverage): boolean {
  const name = payer.payerName.trim().toLowerCase();
  return c.recipients.some(
    (r) => r.kind === 'organization' && (r.identifier?.value === payer.payerId || r.name.trim().toLowerCase() === name),
  );
}

/**
 * True when a consent lets the Part 2 program disclose the record of a service on `dos` to `payer` for payment:
 * kind part2-tpo (no recipients = payers included, 42 CFR 2.31(a)(4)(ii)) or part2-specific naming the payer, purpose
 * payment, period covering the date, data scope covering claims/SUD, and active — or revoked only after the date of
 * service, because "acting in reliance includes the provision of treatment services in reliance on a valid consent to
 * disclose information to a third-party payer" (42 CFR 2.31(a)(6)).
 */
export function allowsPaymentDisclosure(c: ConsentDirective, participantId: string, payer: MedicaidCoverage, dos: string): boolean {
  if (c.participantId !== participantId) return false;
  if (c.kind !== 'part2-tpo' && c.kind !== 'part2-specific') return false;
  const revokedAfter = c.revokedAt !== undefined && c.revokedAt.slice(0, 10) > dos;
  if (c.status !== 'active' && !(c.status === 'inactive' && revokedAfter)) return false;
  if (c.revokedAt !== undefined && !revokedAfter) return false;
  if (!c.purposes.includes('payment')) return false;
  if (dos < c.period.start || (c.period.end !== undefined && dos > c.period.end)) return false;
  if (c.kind === 'part2-specific' || c.recipients.length > 0) {
    if (!namesPayer(c, payer)) return false;
  }
  const types = c.dataScope.resourceTypes;
  if (types.length > 0 && !types.includes('Claim')) return false;
  const sens = c.dataScope.sensitivities;
  if (sens.length > 0 && !sens.some((s) => s === 'SUD' || s === 'ETH' || s === 'ETHUD' || s === 'OPIOIDUD')) return false;
  return true;
}
