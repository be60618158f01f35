/**
 * ContinuingEducation <-> FHIR Basic (profile `peer-continuing-education`).
 *
 * Why `Basic`: R4 has no resource for a training a practitioner attended. `Practitioner.qualification` is the
 * credential itself (number, issuer, period), not the activities that keep it current, and would make every CE record
 * an update of the Practitioner; `Procedure` and `Encounter` are about care of a patient; `DocumentReference` needs the
 * certificate's content. `Basic` is R4's resource for such a concept: `code` says what it is
 * (`workforce-activity#continuing-education`), `subject` is the peer (Practitioner by NPI), `created` the date,
 * `author` the agency, and four extensions hold the hours (UCUM `h`), topic, provider and the credential number the
 * hours count toward (`Practitioner.qualification.identifier`).
 * @module
 */
import type { Basic, Extension } from 'fhir/r4.js';
import { FhirMappingError, type ValidationIssue } from '../errors.js';
import { coding, logicalRef } from '../fhir/internal/builder.js';
import { agencyNamespace } from '../terminology/identifiers.js';
import { Systems } from '../terminology/systems.js';
import { parseOrThrow } from '../validate.js';
import { ContinuingEducation } from './continuing-education.js';
import { WorkforceExtensions, WorkforceProfiles, WorkforceSystems, workforceIdentifierSystems } from './terminology.js';

/** The Basic.code of a continuing-education record. */
const CE_CODE = coding(WorkforceSystems.ACTIVITY, 'continuing-education', 'Continuing education of a peer specialist');

/** Where a CE record's identifier lives: the agency's namespace, as for every other record. */
function ceSystem(options: { namespace?: string | undefined; agency?: string | undefined }): string {
  return workforceIdentifierSystems(agencyNamespace({ agency: options.agency ?? '', namespace: options.namespace })).continuingEducation;
}

/** The four CE extensions of a record (provider and credential only when known). */
function ceExtensions(ce: ContinuingEducation): Extension[] {
  return [
    { url: WorkforceExtensions.CeHours, valueQuantity: { value: ce.hours, unit: 'h', system: 'http://unitsofmeasure.org', code: 'h' } },
    { url: WorkforceExtensions.CeTopic, valueString: ce.topic },
    ...(ce.provider ? [{ url: WorkforceExtensions.CeProvider, valueString: ce.provider }] : []),
    ...(ce.credentialNumber ? [{ url: WorkforceExtensions.CeCredential, valueString: ce.credentialNumber }] : []),
  ];
}

/**
 * Map a continuing-education record to a `Basic` (profile `peer-continuing-education`): `code`
 * `workforce-activity#continuing-education`, the peer as `subject`, the date as `created`, hours/topic/provider/credential
 * as extensions. `agency` (an NPI) becomes the `author`. Throws `PeerFhirValidationError` for an invalid record.
 *
 * @param input - a continuing-education record (validated here)
 * @param options - the namespace and agency to mint identifiers under
 * @returns the `Basic` resource
 * @see https://hl7.org/fhir/R4/basic.html
 * @example
 * ```ts
 * const basic = continuingEducationToFhir(
 *   { id: 'ce-1', peerNpi: '1245319599', date: '2025-05-10', hours: 6, topic: 'Ethics in peer support' },
 *   { agency: '1234567893' },
 * );
 * basic.code.coding?.[0]?.code; // 'continuing-education'
 * ```
 * @category Workforce
 */
export function continuingEducationToFhir(input: unknown, options: { namespace?: string | undefined; agency?: string | undefined } = {}): Basic {
  const ce = parseOrThrow(ContinuingEducation, input, 'ContinuingEducation');
  return {
    resourceType: 'Basic',
    meta: { profile: [WorkforceProfiles.ContinuingEducation] },
    extension: ceExtensions(ce),
    identifier: [{ use: 'official', system: ceSystem(options), value: ce.id }],
    code: { coding: [CE_CODE] },
    subject: logicalRef('Practitioner', Systems.NPI, ce.peerNpi),
    created: ce.date,
    ...(options.agency ? { author: logicalRef('Organization', Systems.NPI, options.agency) } : {}),
  };
}

/** The value of an extension of `basic` by URL. */
function extensionOf(basic: Basic, url: string): Extension | undefined {
  return basic.extension?.find((e) => e.url === url);
}

/** Problems that make `basic` not a CE record of this namespace, by path. */
function ceIssues(basic: Basic, id: string | undefined): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (!id) issues.push({ path: 'identifier', code: 'required', message: 'no continuing-education identifier in this namespace' });
  if (!basic.code.coding?.some((c) => c.system === CE_CODE.system && c.code === CE_CODE.code)) issues.push({ path: 'code', code: 'invalid_value', message: 'is not a continuing-education record' });
  if (basic.subject?.identifier?.system !== Systems.NPI) issues.push({ path: 'subject', code: 'required', message: 'no peer (Practitioner) with an NPI' });
  return issues;
}

/**
 * Read a `Basic` written by {@link continuingEducationToFhir} back into a {@link ContinuingEducation}. Throws
 * `FhirMappingError` listing every problem by path (another namespace's record has no identifier here), or
 * `PeerFhirValidationError` when the values break the domain rules.
 *
 * @param basic - a `Basic` written by `continuingEducationToFhir`
 * @param options - the namespace and agency its identifiers were minted under
 * @returns the continuing-education record
 * @see https://hl7.org/fhir/R4/basic.html
 * @example
 * ```ts
 * const ce = continuingEducationFromFhir(basic, { agency: '1234567893' });
 * ce.hours; // 6
 * ```
 * @category Workforce
 */
export function continuingEducationFromFhir(basic: Basic, options: { namespace?: string | undefined; agency?: string | undefined } = {}): ContinuingEducation {
  const id = basic.identifier?.find((i) => i.system === ceSystem(options))?.value;
  const issues = ceIssues(basic, id);
  if (issues.length > 0) throw new FhirMappingError('Basic', issues);
  const provider = extensionOf(basic, WorkforceExtensions.CeProvider)?.valueString;
  const credentialNumber = extensionOf(basic, WorkforceExtensions.CeCredential)?.valueString;
  return parseOrThrow(
    ContinuingEducation,
    {
      id,
      peerNpi: basic.subject?.identifier?.value,
      date: basic.created?.slice(0, 10),
      hours: extensionOf(basic, WorkforceExtensions.CeHours)?.valueQuantity?.value,
      topic: extensionOf(basic, WorkforceExtensions.CeTopic)?.valueString,
      ...(provider !== undefined ? { provider } : {}),
      ...(credentialNumber !== undefined ? { credentialNumber } : {}),
    },
    'ContinuingEducation',
  );
}
