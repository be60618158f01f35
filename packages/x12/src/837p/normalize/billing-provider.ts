import { taxonomyElement, textElement } from '../../internal/elements.js';
import { clean } from '../../internal/format.js';
import { EIN_SYSTEMS, NUCC_SYSTEM } from '../../internal/systems.js';
import type { NormalizeStep } from './context.js';
import { address, codingIn, identifierIn, npiOf } from './fields.js';

/**
 * 2000A PRV*BI + 2010AA NM1*85 / N3 / N4 / REF*EI: the billing provider (the agency) has a name, a valid Type 2 NPI, a
 * 9-digit TIN, and a physical address with a ZIP+4 (TR3: 2010AA N403 must be 9 digits). The NUCC taxonomy is optional.
 */
export const billingProviderStep: NormalizeStep = ({ input, issues, path }, draft) => {
  const bp = input.billingProvider;
  const billingPath = path('billingProvider');
  if (!bp) issues.push({ path: billingPath, message: 'required' });
  const name = bp ? (textElement(bp.name ? clean(bp.name, 60) : '', `${billingPath}.name`, '2010AA NM103', 1, 60, issues) ?? '') : '';
  const npi = bp ? npiOf(bp.identifier, billingPath, issues) : undefined;
  const ein = (identifierIn(bp?.identifier, EIN_SYSTEMS) ?? '').replace(/-/g, '');
  if (bp && !/^\d{9}$/.test(ein)) issues.push({ path: `${billingPath}.identifier(us-ein)`, message: 'TIN required as 9 digits (REF*EI)' });
  const billingAddress = bp ? address(bp.address, billingPath, issues, { required: true, zip9: true }) : undefined;
  const taxonomyCode = bp?.type?.map((t) => codingIn(t, [NUCC_SYSTEM])).find((c) => c)?.code;
  const taxonomy = taxonomyElement(taxonomyCode, `${billingPath}.type(${NUCC_SYSTEM})`, '2000A PRV03', issues);
  if (npi !== undefined && billingAddress !== undefined) {
    draft.billing = { name, npi, ein, ...(taxonomy ? { taxonomy } : {}), address: billingAddress };
  }
};
