/** Medicaid billing for peer support: rule packs, units, pre-bill edits, FHIR Claim */
export const PACKAGE_NAME = '@peer-fhir/billing';
