/**
 * The 837P normalisation steps in the order they run; the order is the order of the issues a caller sees (claim
 * header, then the 2000A-2010BB loops, the 2310 providers, the 2300 elements, the 2400 lines, and CLM02 last because it
 * sums the lines). A step that needs another's value runs after it: 2310D compares against the 2310B NPI, and the
 * lines' SV107 pointers need the HI positions.
 */
import { billingProviderStep } from './billing-provider.js';
import { claimHeaderStep } from './claim-header.js';
import { claimTotalStep } from './claim-total.js';
import type { NormalizeStep } from './context.js';
import { diagnosesStep } from './diagnoses.js';
import { filingIndicatorStep } from './filing-indicator.js';
import { frequencyStep } from './frequency.js';
import { payerStep } from './payer.js';
import { priorAuthorizationStep } from './prior-authorization.js';
import { renderingStep, supervisingStep } from './rendering.js';
import { serviceLinesStep } from './service-lines.js';
import { memberStep, subscriberStep } from './subscriber.js';

export const NORMALIZE_STEPS: readonly NormalizeStep[] = [
  claimHeaderStep, // 2300 CLM: professional claim, CLM01
  billingProviderStep, // 2000A PRV / 2010AA
  subscriberStep, // 2010BA name, address, DMG
  memberStep, // 2000B SBR / 2010BA NM109
  payerStep, // 2010BB
  renderingStep, // 2310B
  supervisingStep, // 2310D (after 2310B: must differ from it)
  diagnosesStep, // 2300 HI
  frequencyStep, // 2300 CLM05-3 + REF*F8
  priorAuthorizationStep, // 2300 REF*G1
  filingIndicatorStep, // 2000B SBR09
  serviceLinesStep, // 2400 (after HI: SV107 pointers)
  claimTotalStep, // 2300 CLM02 (after 2400: the sum of SV102)
];
