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

/** Credential valid on the DOS, of a kind/state the pack accepts, with the endorsement the program needs (TX 1 TAC §354.3203). */
export const credentialEdit: ItemEdit = {
  code: 'PB-CREDENTIAL',
  check: (item, { pack }) => {
    if (!item.specialist) return [finding('PB-CREDENTIAL', 'no record for the rendering peer specialist')];
    if (!pack.credentials) return [];
    if (acceptedCredentials(item, pack).length > 0) return [];
    const r = pack.credentials;
    const need = r.endorsementsByProgram[item.encounter.program];
    const wants = [
      r.acceptedKinds.length ? `kind ${r.acceptedKinds.join('/')}` : '',
      r.states.length ? `state ${r.states.join('/')}` : '',
      need ? `endorsement ${need.join('/')}` : '',
    ].filter(Boolean);
    return [finding('PB-CREDENTIAL', `no credential valid on the date of service${wants.length ? ` with ${wants.join(', ')}` : ''}`)];
  },
};
