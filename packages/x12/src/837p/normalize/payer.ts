import { identifierElement, textElement } from '../../internal/elements.js';
import { clean } from '../../internal/format.js';
import { EIN_SYSTEMS, NPI_SYSTEM, PAYER_ID_SYSTEM } from '../../internal/systems.js';
import type { NormalizeStep } from './context.js';
import { identifierIn } from './fields.js';

/**
 * 2010BB NM1*PR: the payer has a name and a payer id — the identifier with the x12-payer-id system, else the first
 * identifier that is neither an NPI nor an EIN — sent as given.
 */
export const payerStep: NormalizeStep = ({ input, issues, path }, draft) => {
  const payer = input.payer;
  const payerPath = path('payer');
  if (!payer) issues.push({ path: payerPath, message: 'required' });
  const name = payer ? (textElement(payer.name ? clean(payer.name, 60) : '', `${payerPath}.name`, '2010BB NM103', 1, 60, issues) ?? '') : '';
  const payerId =
    identifierIn(payer?.identifier, [PAYER_ID_SYSTEM]) ??
    payer?.identifier?.find((i) => i.value && i.system !== NPI_SYSTEM && !EIN_SYSTEMS.includes(i.system ?? ''))?.value ??
    '';
  const id = payer ? (identifierElement(payerId, `${payerPath}.identifier(${PAYER_ID_SYSTEM})`, '2010BB NM109 payer id', 2, 80, issues) ?? '') : '';
  draft.payer = { name, id };
};
