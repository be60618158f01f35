/**
 * Closed-loop referrals: ServiceRequest + Task in the Gravity SDOH Clinical Care pattern.
 * @module
 */
export { ReferralSystems, ReferralProfiles, ReferralCodes, ReferralCategories, referralIdentifierSystems } from './terminology.js';
export { Referral, ReferralStatus, REFERRAL_TRANSITIONS, ReferralTransitionError, assertTransition } from './referral.js';
export { referralToFhir, referralBundle, serviceRequestStatus, type ReferralMappingOptions } from './to-fhir.js';
export { referralFromFhir } from './from-fhir.js';
