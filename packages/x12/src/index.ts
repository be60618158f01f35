/** X12 837P 005010X222A1 writer and 835 005010X221A1 reader for peer support claims */
export const PACKAGE_NAME = '@peer-fhir/x12';
