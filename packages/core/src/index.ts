/** peer-support domain model (zod) and FHIR R4 mapping, terminology, Part 2 labels and consent decisions */
export const PACKAGE_NAME = '@peer-fhir/core';
