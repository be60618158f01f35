import type { Claim } from 'fhir/r4.js';
import { ICD10CM_SYSTEMS } from '../../internal/systems.js';
import type { NormalizeStep } from './context.js';
import { codingIn } from './fields.js';

/** HI carries at most 12 diagnosis codes (HI01..HI12). */
export const MAX_DIAGNOSES = 12;

type Diagnosis = NonNullable<Claim['diagnosis']>[number];

const isPrincipal = (d: Diagnosis): boolean => !!d.type?.some((t) => t.coding?.some((c) => c.code === 'principal'));

/** The principal diagnosis first (HI01 is ABK, the principal), then the rest by sequence. */
const hiOrder = (a: Diagnosis, b: Diagnosis): number => (isPrincipal(a) ? 0 : 1) - (isPrincipal(b) ? 0 : 1) || a.sequence - b.sequence;

/**
 * 2300 HI: every Claim.diagnosis carries an ICD-10-CM code, written without its decimal point; at least one and at most
 * {@link MAX_DIAGNOSES}. Records each diagnosis's HI position for the service lines' SV107 pointers.
 */
export const diagnosesStep: NormalizeStep = ({ claim, issues, path }, draft) => {
  const all = claim.diagnosis ?? [];
  for (const d of [...all].sort(hiOrder)) {
    const dxPath = path(`claim.diagnosis[${all.indexOf(d)}].diagnosisCodeableConcept`);
    const code = codingIn(d.diagnosisCodeableConcept, ICD10CM_SYSTEMS)?.code;
    if (!code) {
      issues.push({ path: dxPath, message: `ICD-10-CM coding (${ICD10CM_SYSTEMS[0]}) required` });
      continue;
    }
    const stripped = code.replace(/\./g, '').toUpperCase(); // HI: no decimal point
    if (!/^[A-Z][0-9A-Z]{2,6}$/.test(stripped)) {
      issues.push({ path: dxPath, message: 'not a valid ICD-10-CM code' });
      continue;
    }
    draft.diagnoses.push(stripped);
    draft.dxPosition.set(d.sequence, draft.diagnoses.length);
  }
  if (draft.diagnoses.length === 0 && all.length === 0) {
    issues.push({ path: path('claim.diagnosis'), message: 'at least one ICD-10-CM diagnosis required (HI)' });
  }
  if (draft.diagnoses.length > MAX_DIAGNOSES) issues.push({ path: path('claim.diagnosis'), message: `at most ${MAX_DIAGNOSES} diagnoses (HI)` });
};
