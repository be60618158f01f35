import { identifierElement } from '../../internal/elements.js';
import type { NormalizeStep } from './context.js';

/**
 * 2300 CLM: the claim is a professional claim (`use` = claim, type `professional`), and CLM01 — the patient control
 * number the payer echoes as 835 CLP01 — is the Claim's first identifier with a value.
 */
export const claimHeaderStep: NormalizeStep = ({ claim, issues, path }, draft) => {
  if (claim.use !== 'claim') issues.push({ path: path('claim.use'), message: "must be 'claim'" });
  if (!claim.type?.coding?.some((c) => c.code === 'professional')) {
    issues.push({ path: path('claim.type'), message: "must be the claim-type 'professional'" });
  }
  const pcn = claim.identifier?.find((i) => !!i.value)?.value;
  draft.patientControlNumber = identifierElement(pcn, path('claim.identifier'), 'CLM01 patient control number', 1, 38, issues) ?? '';
};
