import type { BillingContext, PriorClaim } from '../context.js';
import { billedItems } from '../claim/prior-claims.js';
import { finding, type ItemEdit } from '../internal/item.js';

const cache = new WeakMap<BillingContext, Map<string, PriorClaim>>();

/**
 * An encounter already on a standing claim is never billed again as an original (837P CLM05-3 = 1): a change to it
 * is a replacement (7) and a void an 8, each naming the payer's claim number (REF*F8). A claim rejected before
 * adjudication, or voided, does not stand.
 */
export const duplicateEdit: ItemEdit = {
  code: 'PB-DUPLICATE',
  check: ({ key }, { ctx }) => {
    if (!ctx.priorClaims?.length) return [];
    let billed = cache.get(ctx);
    if (!billed) cache.set(ctx, (billed = billedItems(ctx.priorClaims)));
    return billed.has(key) ? [finding('PB-DUPLICATE', 'already billed on a claim that stands; a change is billed as a replacement (frequency 7)')] : [];
  },
};
