/** Modifiers in pack order and rate lookup for a line. @internal */
import type { ModifierSlot, RateRule, RulePack } from '../pack/schema.js';
import { acceptedCredentials } from '../edits/credential.js';
import type { BillingItem } from './item.js';

const DEFAULT_ORDER: readonly ModifierSlot[] = ['group', 'credential', 'program', 'fixed', 'telehealth'];

/** Telehealth modifiers the pack adds for the encounter's modality. */
export function telehealthModifiers(item: BillingItem, pack: RulePack): string[] {
  const m = item.encounter.modality;
  if (m === 'video') return pack.telehealth.video?.modifiers ?? [];
  if (m === 'audio-only') return pack.telehealth.audioOnly?.modifiers ?? [];
  return [];
}

/** The line's modifiers, slot by slot in the pack's order (837P SV1-01-3..6; ordering is payer-specific). */
export function buildModifiers(item: BillingItem, pack: RulePack): string[] {
  const s = item.service;
  if (!s) return [];
  const slots: Record<ModifierSlot, string[]> = {
    group: item.encounter.mode === 'group' && s.groupModifier ? [s.groupModifier] : [],
    credential: [],
    program: s.programModifiers[item.encounter.program] ? [s.programModifiers[item.encounter.program] as string] : [],
    fixed: s.fixedModifiers,
    telehealth: telehealthModifiers(item, pack),
  };
  if (s.credentialModifiers.length > 0) {
    const kinds = acceptedCredentials(item, pack).map((c) => c.kind.toLowerCase());
    const hit = s.credentialModifiers.find((cm) => cm.credentialKinds.some((k) => kinds.includes(k.toLowerCase())));
    if (hit) slots.credential = [hit.modifier];
  }
  const order = [...pack.modifierOrder.order, ...DEFAULT_ORDER.filter((x) => !pack.modifierOrder.order.includes(x))];
  const out: string[] = [];
  for (const slot of order) for (const m of slots[slot]) if (!out.includes(m)) out.push(m);
  return out;
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** The rate rule for code + modifiers (order ignored); falls back to the combination without telehealth modifiers. */
export function findRate(pack: RulePack, code: string, modifiers: readonly string[], telehealth: readonly string[]): RateRule | undefined {
  const rates = pack.rates.filter((r) => r.code === code);
  return rates.find((r) => sameSet(r.modifiers, modifiers)) ?? rates.find((r) => sameSet(r.modifiers, modifiers.filter((m) => !telehealth.includes(m))));
}
