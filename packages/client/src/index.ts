/** typed, reliable FHIR R4 client for peer support services */
export const PACKAGE_NAME = '@peer-fhir/client';
