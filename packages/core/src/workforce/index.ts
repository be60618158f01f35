/**
 * Workforce: supervision sessions, continuing education, and the compliance report.
 * @module
 */
export { WorkforceSystems, WorkforceProfiles, WorkforceExtensions, workforceIdentifierSystems } from './terminology.js';
export { SupervisionSession } from './supervision.js';
export { ContinuingEducation } from './continuing-education.js';
export { supervisionSessionToFhir, supervisionSessionFromFhir } from './supervision-fhir.js';
export { continuingEducationToFhir, continuingEducationFromFhir } from './continuing-education-fhir.js';
export { ComplianceRequirements } from './requirements.js';
export { complianceReport, type ComplianceInput, type ComplianceFinding, type ComplianceReport, type PeerWorkload } from './compliance.js';
export { complianceReportToMarkdown } from './compliance-markdown.js';
