import type { Claim, ClaimItem } from 'fhir/r4.js';
import { clean } from '../internal/format.js';
import { LINE_CONTROL_NUMBER_EXTENSION, PROCEDURE_SYSTEMS } from '../internal/systems.js';
import type { RemittanceClaim, RemittanceLine } from './types.js';

/** The 837 REF*6R value the writer used for an item. */
export function lineControlNumberOf(item: ClaimItem): string {
  return item.extension?.find((e) => e.url === LINE_CONTROL_NUMBER_EXTENSION)?.valueString ?? String(item.sequence);
}

const procedureOf = (item: ClaimItem) =>
  item.productOrService.coding?.find((c) => c.system && PROCEDURE_SYSTEMS.includes(c.system))?.code?.toUpperCase();

/**
 * Match each 835 SVC line to a Claim.item sequence: first by REF*6R (line item control number),
 * then, for lines without one, by procedure code + service date among items not matched yet.
 * Returns one entry per remittance line (undefined = no match).
 */
export function matchLines(rc: RemittanceClaim, claim: Claim | undefined): (number | undefined)[] {
  const items = claim?.item ?? [];
  const used = new Set<number>();
  const byControl = new Map(items.map((i) => [lineControlNumberOf(i), i.sequence]));
  const result: (number | undefined)[] = rc.lines.map((l) => {
    if (l.lineControlNumber === undefined) return undefined;
    const seq = claim ? byControl.get(l.lineControlNumber) : /^\d+$/.test(l.lineControlNumber) ? Number(l.lineControlNumber) : undefined;
    if (seq === undefined || used.has(seq)) return undefined;
    used.add(seq);
    return seq;
  });
  rc.lines.forEach((l: RemittanceLine, i) => {
    if (result[i] !== undefined || !claim || l.lineControlNumber !== undefined) return;
    const hit = items.find(
      (it) =>
        !used.has(it.sequence) &&
        procedureOf(it) === l.procedure.toUpperCase() &&
        (!l.serviceDate || (it.servicedDate ?? it.servicedPeriod?.start ?? '').startsWith(l.serviceDate)),
    );
    if (hit) {
      used.add(hit.sequence);
      result[i] = hit.sequence;
    }
  });
  return result;
}

/**
 * Find the Claim whose identifier value equals CLP01, as given or as the 837P writer sent it in CLM01 (delimiters and
 * control characters replaced), so a Claim whose identifier holds e.g. `:` still finds its remittance. The comparison
 * ignores case: the TR3 lets a payer return CLP01 upper-cased (005010X221A1 CLP01; 837P CLM01 is only required to be
 * returned, not in its case).
 */
export function findClaimFor(rc: Pick<RemittanceClaim, 'patientControlNumber'>, claims: readonly Claim[]): Claim | undefined {
  const pcn = rc.patientControlNumber.toUpperCase();
  return claims.find((c) => c.identifier?.some((i) => i.value !== undefined && (i.value.toUpperCase() === pcn || clean(i.value) === pcn)));
}
