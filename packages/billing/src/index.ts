/**
 * @peer-fhir/billing — peer-support Medicaid billing: rule packs as data, the unit calculator, pre-bill edits and the
 * FHIR R4 Claim builder.
 * @packageDocumentation
 */
export {
  RulePack,
  RuleSource,
  ServiceRule,
  RateRule,
  UnitRule,
  RoundingMethod,
  InnerRounding,
  MonthlyAccumulationRule,
  CapRule,
  CapWindow,
  GroupRule,
  PlaceOfServiceRule,
  TelehealthRule,
  AgeRule,
  DiagnosisMatcher,
  DiagnosisRule,
  CredentialRule,
  SupervisionRule,
  PlanRule,
  ServiceOrderRule,
  ArtefactRules,
  ClaimGroupingRule,
  EligibilityCheckRule,
  ModifierSlot,
  Span,
  BillingRolesRule,
  ClaimFilingIndicator,
  billingRolesOf,
  type RulePackInput,
} from './pack/schema.js';
export { loadPack, listPacks, getPack, RulePackError } from './pack/load.js';
export { calculateUnits, calculateMonthlyUnits, type Contact, type UnitResult, type MonthlyResult, type RoundingInput } from './units.js';
export { ServiceOrder, PriorAuthorization, BilledUnits, Episode, OtherService, EligibilityCheck, PriorClaim, PriorClaimItem, type BillingContext } from './context.js';
export type { Finding, BillingLine, BillingDecision, BillingTotals, BillingResult } from './decision.js';
export { EDIT_CODES, type EditCode } from './edits/codes.js';
export { evaluate } from './evaluate.js';
export { buildClaims, type ClaimOptions } from './claim/build.js';
export { patientControlNumber } from './claim/control-number.js';
export { buildClaimBundle, type ClaimBundleRecords } from './claim/bundle.js';
export { claimDisclosureAudits, type ClaimDisclosureOptions } from './claim/disclosure-audit.js';
export { priorClaimFromFhir, activePriorClaims, type PayerAnswer } from './claim/prior-claims.js';
export { planCorrections, buildCorrectionClaims, type CorrectionPlan, type AwaitingCorrection } from './claim/corrections.js';
export { serviceOrderToFhir, serviceOrderFromFhir, type BillingRecordOptions } from './records/service-order.js';
export { priorAuthorizationToFhir, priorAuthorizationFromFhir, type PriorAuthorizationOptions } from './records/prior-authorization.js';
export { billedUnitsFromClaims, type BilledUnitsOptions } from './records/billed-units.js';
export { evaluateByParticipant, mergeBillingResults, type ParticipantChunkOptions } from './evaluate-by-participant.js';
