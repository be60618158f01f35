/**
 * Consent directives: Part 2 single TPO consents (most active; some expired, revoked or missing), a few Part 2
 * consents to a named recipient, and HIPAA authorizations to named organisations.
 * @module
 */
import type { ConsentDirective, ConsentRecipient } from '@peer-fhir/core';
import { formatOffset, fromDay, localDateTime, offsetMinutes } from './clock.js';
import { organizationName } from './names.js';
import type { NpiMinter } from './npi.js';
import type { ResolvedOptions } from './options.js';
import type { ParticipantInfo } from './participants.js';
import { exactShare, type Random } from './random.js';

const RECIPIENT_KINDS = ['Primary Care', 'Family Medicine', 'Housing Services', 'Community Health Center', 'Recovery Residence'] as const;

/** `consent-0001` for index 0. */
const consentId = (i: number): string => `consent-${String(i + 1).padStart(4, '0')}`;

/** How a Part 2 participant's TPO consent turned out. */
type Part2Fate = 'active' | 'expired' | 'revoked' | 'none';

/** Four synthetic recipient organizations, each with a fresh NPI. */
function syntheticRecipients(rng: Random, npis: NpiMinter): ConsentRecipient[] {
  return Array.from({ length: 4 }, () => ({
    kind: 'organization',
    name: `${organizationName(rng, rng.pick(RECIPIENT_KINDS))} (synthetic)`,
    npi: npis.next(),
  }));
}

/** What happens to each Part 2 participant's TPO consent, by participant index. */
function part2Fates(rng: Random, participants: readonly ParticipantInfo[]): Map<number, Part2Fate> {
  const fates = new Map<number, Part2Fate>();
  const order = rng.shuffle(participants.filter((p) => p.enrollment.part2).map((p) => p.index));
  // About 8% each expired, revoked and without a consent; at least one of each once there are four Part 2 participants.
  const k = order.length >= 4 ? Math.max(1, Math.round(order.length * 0.08)) : 0;
  order.forEach((idx, j) => fates.set(idx, j < k ? 'expired' : j < 2 * k ? 'revoked' : j < 3 * k ? 'none' : 'active'));
  return fates;
}

export function makeConsents(
  rng: Random,
  npis: NpiMinter,
  o: ResolvedOptions,
  participants: readonly ParticipantInfo[],
  organizationNpi: string,
): ConsentDirective[] {
  const recipients = syntheticRecipients(rng, npis);
  const fates = part2Fates(rng, participants);
  const hipaa = exactShare(rng, participants.length, 0.15);
  /** A day in the period, not before `earliest`, while the participant is enrolled. */
  const dayAfter = (earliest: number, p: ParticipantInfo): number => {
    const lo = Math.max(earliest, o.startDay + 15);
    const hi = Math.min(o.endDay, p.enrollEnd) - 1;
    return lo < hi ? rng.int(lo, hi) : Math.max(earliest, hi);
  };

  const out: ConsentDirective[] = [];
  for (const p of participants) {
    const fate = fates.get(p.index);
    if (fate !== undefined && fate !== 'none') {
      const signed = p.enrollStart;
      let end = signed + rng.int(730, 1095);
      if (fate === 'expired') end = dayAfter(signed + 30, p);
      const revokedDay = fate === 'revoked' ? dayAfter(signed + 14, p) : undefined;
      out.push({
        id: consentId(out.length),
        participantId: p.record.id,
        kind: 'part2-tpo',
        // A consent past its end date keeps status active; consent evaluation has to check the period (42 CFR 2.31(a)(6)).
        status: revokedDay === undefined ? 'active' : 'inactive',
        recipients: [],
        purposes: ['treatment', 'payment', 'operations'],
        dataScope: { resourceTypes: [], sensitivities: rng.chance(0.2) ? ['SUD'] : [] },
        period: { start: fromDay(signed), end: fromDay(end) },
        signedDate: fromDay(signed),
        ...(revokedDay === undefined
          ? {}
          : { revokedAt: localDateTime(fromDay(revokedDay), rng.int(9 * 60, 17 * 60), formatOffset(offsetMinutes(o.state.zone, revokedDay))) }),
        disclosingOrganizationNpi: organizationNpi,
      });
    }
    if (p.enrollment.part2 && rng.chance(0.05)) {
      const signed = Math.max(p.enrollStart, o.startDay) + rng.int(0, 60);
      out.push({
        id: consentId(out.length),
        participantId: p.record.id,
        kind: 'part2-specific',
        status: 'active',
        recipients: [rng.pick(recipients)],
        purposes: ['care-coordination'],
        dataScope: { resourceTypes: [], sensitivities: [] },
        period: { start: fromDay(signed), end: fromDay(signed + 365) },
        signedDate: fromDay(signed),
        disclosingOrganizationNpi: organizationNpi,
      });
    }
    if (hipaa.has(p.index)) {
      const signed = Math.max(p.enrollStart, o.startDay) + rng.int(0, 90);
      out.push({
        id: consentId(out.length),
        participantId: p.record.id,
        kind: 'hipaa-authorization',
        status: 'active',
        recipients: [rng.pick(recipients)],
        purposes: [rng.pick(['patient-request', 'care-coordination'] as const)],
        dataScope: { resourceTypes: [], sensitivities: [] },
        period: { start: fromDay(signed), end: fromDay(signed + 365) },
        signedDate: fromDay(signed),
        disclosingOrganizationNpi: organizationNpi,
      });
    }
  }
  return out;
}
