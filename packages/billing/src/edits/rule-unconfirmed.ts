import type { RuleSource } from '../pack/schema.js';
import { finding, type BillingItem, type EvalState } from '../internal/item.js';
import type { Finding } from '../decision.js';

/** Warn when the rules that priced or counted a line are not confirmed against their source. */
export function unconfirmedRuleWarnings(item: BillingItem, state: EvalState, rateSource: RuleSource | undefined): Finding[] {
  const p = state.pack;
  const used: [string, RuleSource | undefined][] = [
    ['service', item.service?.source],
    ['units', p.billingModel === 'monthly-accumulation' ? p.monthly?.source : p.units?.source],
    ['rate', rateSource],
  ];
  const names = used.filter(([, s]) => s !== undefined && !s.confirmed).map(([n]) => n);
  return names.length ? [finding('PB-RULE-UNCONFIRMED', `${p.id} ${names.join(', ')} rule(s) not confirmed against the source`)] : [];
}
