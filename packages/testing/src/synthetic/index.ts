/**
 * Deterministic synthetic data for peer-fhir: a seeded agency with staff, participants, plans, consents and encounters.
 * @module
 */
export { generateAgency, type SyntheticAgency } from './agency.js';
export { generateEncounters, type SyntheticEncounterOptions } from './encounters.js';
export type { SyntheticPeerGroup } from './groups.js';
export { npiCheckDigit, NpiMinter } from './npi.js';
export type { SyntheticAgencyOptions } from './options.js';
export type { SyntheticPayer } from './organization.js';
export type { SyntheticEnrollment } from './participants.js';
export { Random, Weights } from './random.js';
export { generateRoster, type SyntheticRoster } from './roster.js';
export {
  billableAgency,
  encountersCodedFor,
  syntheticBillingContext,
  syntheticPriorAuthorizations,
  syntheticServiceOrders,
  withPlaceholderRates,
  type SyntheticBillingOptions,
} from './billing.js';
