import type { DiagnosisMatcher } from '../pack/schema.js';
import { finding, type ItemEdit } from '../internal/item.js';

/** True when an ICD-10-CM code (with dot) matches a category range or prefix. */
export function matchesDiagnosis(code: string, m: DiagnosisMatcher): boolean {
  if ('prefix' in m) return code.toUpperCase().startsWith(m.prefix.toUpperCase());
  const cat = code.slice(0, 3).toUpperCase();
  return cat >= m.from && cat <= m.to;
}

/** At least one diagnosis; when the pack has an allow-list for the program, at least one allowed (NJ: SUD dx; TX: listed classes). */
export const diagnosisEdit: ItemEdit = {
  code: 'PB-DIAGNOSIS',
  check: ({ attendee, encounter }, { pack }) => {
    const rule = pack.diagnosis;
    if (!rule) return [];
    if (attendee.diagnoses.length === 0) return rule.required ? [finding('PB-DIAGNOSIS', 'no diagnosis on the encounter')] : [];
    const list = rule.allow.find((a) => a.programs === undefined || a.programs.includes(encounter.program));
    if (!list) return [];
    const ok = attendee.diagnoses.some((d) => list.codes.some((m) => matchesDiagnosis(d, m)));
    return ok ? [] : [finding('PB-DIAGNOSIS', `no diagnosis is in the ${pack.id} allow-list for ${encounter.program} services`)];
  },
};

/** Diagnoses to put on the line: allowed ones first (principal first), at most 4 pointers (837P SV107). */
export function lineDiagnoses(diagnoses: readonly string[], allowed: readonly DiagnosisMatcher[] | undefined): string[] {
  if (!allowed) return diagnoses.slice(0, 4);
  const ok = diagnoses.filter((d) => allowed.some((m) => matchesDiagnosis(d, m)));
  return [...ok, ...diagnoses.filter((d) => !ok.includes(d))].slice(0, 4);
}
