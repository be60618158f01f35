import type { Credential } from '@peer-fhir/core';
import type { RulePack } from '../pack/schema.js';
import { within } from '../internal/dates.js';
import { finding, type BillingItem, type ItemEdit } from '../internal/item.js';

/** The rendering peer's credentials valid on the date of service that the pack accepts (kind, state, endorsement). */
export function acceptedCredentials(item: BillingItem, pack: RulePack): Credential[] {
  const rule = pack.credentials;
  const creds = item.specialist?.credentials ?? [];
  return creds.filter((c) => {
    if (!within(item.dos, c.issued, c.expires)) return false;
    if (!rule) return true;
    if (rule.acceptedKinds.length > 0 && !rule.acceptedKinds.some((k) => k.toLowerCase() === c.kind.toLowerCase())) return false;
    if (rule.states.length > 0 && !rule.states.includes(c.state)) return false;
    const need = rule.endorsementsByProgram[item.encounter.program];
    if (need && !need.some((e) => c.endorsements.includes(e))) return false;
    return true;
  });
}

/**
 * Why one credential does not qualify on the date of service, or undefined when it does: not yet issued, expired (with
 * the date), a kind or state the pack does not accept, or the endorsement the program needs missing. Credential facts
 * are workforce data, not PHI.
 */
function whyNot(c: Credential, item: BillingItem, pack: RulePack): string | undefined {
  if (item.dos < c.issued) return `credential ${c.kind} not yet issued on the date of service (issued ${c.issued})`;
  if (c.expires !== undefined && item.dos > c.expires) return `credential ${c.kind} expired ${c.expires}, before the date of service`;
  const rule = pack.credentials;
  if (!rule) return undefined;
  if (rule.acceptedKinds.length > 0 && !rule.acceptedKinds.some((k) => k.toLowerCase() === c.kind.toLowerCase())) {
    return `credential kind ${c.kind} not accepted (the pack accepts ${rule.acceptedKinds.join('/')})`;
  }
  if (rule.states.length > 0 && !rule.states.includes(c.state)) return `credential ${c.kind} issued in ${c.state}, the pack requires ${rule.states.join('/')}`;
  const need = rule.endorsementsByProgram[item.encounter.program];
  if (need && !need.some((e) => c.endorsements.includes(e))) {
    return `credential ${c.kind} lacks the ${need.join('/')} endorsement the ${item.encounter.program} program requires`;
  }
  return undefined;
}

/**
 * Credential valid on the DOS, of a kind/state the pack accepts, with the endorsement the program needs (TX 1 TAC
 * §354.3203). A hold names why each credential on record does not qualify.
 */
export const credentialEdit: ItemEdit = {
  code: 'PB-CREDENTIAL',
  check: (item, { pack }) => {
    if (!item.specialist) return [finding('PB-CREDENTIAL', 'no record for the rendering peer specialist')];
    if (!pack.credentials) return [];
    if (acceptedCredentials(item, pack).length > 0) return [];
    const creds = item.specialist.credentials;
    if (creds.length === 0) {
      const r = pack.credentials;
      const wants = [r.acceptedKinds.length ? `kind ${r.acceptedKinds.join('/')}` : '', r.states.length ? `state ${r.states.join('/')}` : ''].filter(Boolean);
      return [finding('PB-CREDENTIAL', `no credential on record${wants.length ? ` (the pack requires ${wants.join(', ')})` : ''}`)];
    }
    const reasons = [...new Set(creds.map((c) => whyNot(c, item, pack)).filter((x): x is string => !!x))];
    return [finding('PB-CREDENTIAL', reasons.join('; '))];
  },
};
