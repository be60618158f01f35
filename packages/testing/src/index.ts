/** embedded FHIR R4 server, msw handlers and deterministic synthetic data for peer-fhir */
export const PACKAGE_NAME = '@peer-fhir/testing';
