import { identifierElement } from '../../internal/elements.js';
import { CLAIM_FREQUENCY_EXTENSION, RELATED_CLAIM_RELATIONSHIP_SYSTEM } from '../../internal/systems.js';
import type { NormalizeStep } from './context.js';

/**
 * 2300 CLM05-3 claim frequency + REF*F8: 1 original, 7 replacement, 8 void. The frequency extension decides; without
 * it, a `prior` related claim makes the claim a replacement. A replacement or void must name the payer's claim control
 * number (REF*F8, from related[relationship=prior].reference); an original must not.
 */
export const frequencyStep: NormalizeStep = ({ claim, issues, path }, draft) => {
  const freqExt = claim.extension?.find((e) => e.url === CLAIM_FREQUENCY_EXTENSION)?.valueCode;
  const prior = claim.related?.find((r) =>
    r.relationship?.coding?.some((c) => c.system === RELATED_CLAIM_RELATIONSHIP_SYSTEM && c.code === 'prior'),
  );
  const priorIcn = identifierElement(prior?.reference?.value, path('claim.related.reference'), 'REF02 payer claim control number (F8)', 1, 50, issues, false);
  if (freqExt !== undefined) {
    if (freqExt === '1' || freqExt === '7' || freqExt === '8') draft.frequency = freqExt;
    else issues.push({ path: path(`claim.extension(${CLAIM_FREQUENCY_EXTENSION})`), message: "must be '1', '7' or '8'" });
  } else if (priorIcn) {
    draft.frequency = '7';
  }
  if ((draft.frequency === '7' || draft.frequency === '8') && !priorIcn) {
    issues.push({
      path: path('claim.related'),
      message: "replacement/void needs related[relationship='prior'].reference with the payer claim number (REF*F8)",
    });
  }
  if (draft.frequency === '1' && priorIcn && freqExt === '1') {
    issues.push({ path: path('claim.related'), message: "a prior claim reference needs frequency '7' or '8'" });
  }
  if (priorIcn && draft.frequency !== '1') draft.payerClaimControlNumber = priorIcn;
};
