import { CLAIM_FILING_INDICATOR_CODES } from '../../internal/elements.js';
import type { NormalizeStep } from './context.js';

/** 2000B SBR09 claim filing indicator: a code from the TR3 list (MC Medicaid, MB Medicare Part B, HM HMO, ...); MC by default. */
export const filingIndicatorStep: NormalizeStep = ({ input, issues, path }, draft) => {
  const filingIndicator = input.claimFilingIndicator ?? 'MC';
  if (!CLAIM_FILING_INDICATOR_CODES.has(filingIndicator)) {
    issues.push({ path: path('claimFilingIndicator'), message: 'must be an SBR09 claim filing indicator code (e.g. MC, MB, HM)' });
  }
  draft.filingIndicator = filingIndicator;
};
