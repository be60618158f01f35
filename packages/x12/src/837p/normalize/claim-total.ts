import { toCents } from '../../internal/format.js';
import type { NormalizeStep } from './context.js';

/**
 * 2300 CLM02 is the sum of the lines' SV102 charges. A Claim.total that disagrees is refused rather than rewritten; it is
 * compared only when every line normalised (a missing line would make any sum wrong).
 */
export const claimTotalStep: NormalizeStep = ({ claim, issues, path }, draft) => {
  draft.totalCents = draft.lines.reduce((s, l) => s + l.chargeCents, 0);
  const claimTotal = toCents(claim.total?.value);
  if (claimTotal !== undefined && draft.lines.length === (claim.item ?? []).length && claimTotal !== draft.totalCents) {
    issues.push({ path: path('claim.total'), message: 'must equal the sum of the line charges (CLM02)' });
  }
};
