import { identifierElement } from '../../internal/elements.js';
import type { NormalizeStep } from './context.js';

/** 2300 REF*G1: the prior authorization number of the focal (else first) insurance, sent as given when present. */
export const priorAuthorizationStep: NormalizeStep = ({ claim, issues, path }, draft) => {
  const insurance = claim.insurance?.find((i) => i.focal) ?? claim.insurance?.[0];
  const auth = identifierElement(insurance?.preAuthRef?.[0], path('claim.insurance.preAuthRef[0]'), 'REF02 prior authorization (G1)', 1, 50, issues, false);
  if (auth) draft.priorAuthorization = auth;
};
