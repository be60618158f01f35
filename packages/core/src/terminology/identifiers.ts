/**
 * Identifier systems for the records peer-fhir mints. Each resource the SDK writes carries one identifier
 * under a stable system so that `If-None-Exist: identifier=<system>|<value>` makes every write idempotent.
 *
 * Every system is scoped to one agency (tenant): `<prefix>/agency/<organization NPI>/<kind>` (URL prefixes) or
 * `<prefix>:agency:<organization NPI>:<kind>` (URN prefixes). Two agencies that use the same local ids on one server
 * therefore never share a Patient, Encounter or Condition. Only NPI-identified records (the agency's Organization
 * and a specialist's Practitioner, system `http://hl7.org/fhir/sid/us-npi`) are shared, as the NPI is national.
 * @module
 */
import { isValidNpi } from '../domain/common.js';
import { PeerFhirError } from '../errors.js';

/** Default namespace prefix, under which each agency's identifier systems are minted. @category Terminology */
export const DEFAULT_ID_PREFIX = 'urn:peer-fhir';

/**
 * The unscoped namespace that peer-fhir used before identifiers were scoped to an agency. Only for migrating data
 * written by earlier versions (see docs/migration.md); nothing new is written under it.
 * @deprecated identifiers are scoped to an agency: use {@link identifierSystems} with an {@link IdentityScope}.
 * @category Terminology
 */
export const DEFAULT_ID_NAMESPACE = 'urn:peer-fhir:default';

/**
 * Whose identifiers: the agency (its Type 2 organization NPI) and an optional namespace prefix of your deployment
 * (a URL or URN; default {@link DEFAULT_ID_PREFIX}).
 *
 * @example
 * ```ts
 * const scope: IdentityScope = { agency: '1234567893', namespace: 'https://ehr.example.org/ids' };
 * ```
 * @category Terminology
 */
export interface IdentityScope {
  /** Organization NPI of the agency whose records these are. */
  agency: string;
  /** Namespace prefix (URL or URN) of your deployment; default `urn:peer-fhir`. */
  namespace?: string | undefined;
}

/**
 * The agency NPI of an identity scope is missing or not a valid NPI. The message and details never hold the value.
 *
 * @example
 * ```ts
 * try { identifierSystems({ agency: '' }); } catch (e) { if (e instanceof IdentityScopeError) console.log(e.code); }
 * ```
 * @category Errors
 */
export class IdentityScopeError extends PeerFhirError {
  constructor(reason: 'missing' | 'invalid-npi' | 'ambiguous' | 'invalid-namespace', details: Readonly<Record<string, unknown>> = {}) {
    const text = {
      missing: 'no agency (organization NPI) given: identifiers are scoped to an agency',
      'invalid-namespace': 'the namespace is not an absolute URI',
      'invalid-npi': 'the agency is not a valid organization NPI (10 digits with a Luhn check digit)',
      ambiguous: 'the records name more than one agency: pass the agency to scope their identifiers',
    }[reason];
    super(text, { code: 'core.identity-scope', details: { reason, ...details } });
  }
}

// RFC 3986 absolute URI, loosely: a scheme, then only characters a URI may hold. Keeps `|` (the FHIR token search
// separator and our key separator) and whitespace out of every identifier system we mint.
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s|"<>\\^`{}\u0000-\u001f\u007f]+$/;

/**
 * The namespace under which one agency's identifier systems are minted: the prefix plus `agency/<npi>` (URL) or
 * `agency:<npi>` (URN). Throws {@link IdentityScopeError} when the agency is not a valid NPI or the namespace is not an
 * absolute URI.
 *
 * @param scope - the agency's identity scope (prefix and agency)
 * @returns the namespace URI the identifier systems of the agency are minted under
 * @example
 * ```ts
 * agencyNamespace({ agency: '1234567893' }); // 'urn:peer-fhir:agency:1234567893'
 * agencyNamespace({ agency: '1234567893', namespace: 'https://ehr.example.org/ids' }); // 'https://ehr.example.org/ids/agency/1234567893'
 * ```
 * @category Terminology
 */
export function agencyNamespace(scope: IdentityScope): string {
  if (typeof scope.agency !== 'string' || scope.agency === '') throw new IdentityScopeError('missing');
  if (!isValidNpi(scope.agency)) throw new IdentityScopeError('invalid-npi');
  const prefix = scope.namespace ?? DEFAULT_ID_PREFIX;
  if (!ABSOLUTE_URI.test(prefix)) throw new IdentityScopeError('invalid-namespace');
  const sep = prefix.startsWith('urn:') ? ':' : '/';
  const base = prefix.endsWith(sep) ? prefix.slice(0, -1) : prefix;
  return `${base}${sep}agency${sep}${scope.agency}`;
}

/**
 * The identifier systems of one agency (see {@link IdentityScope}).
 *
 * @param scope - the agency's identity scope (prefix and agency)
 * @returns the identifier system URI of each kind of record
 * @example
 * ```ts
 * const ids = identifierSystems({ agency: '1234567893', namespace: 'https://ehr.example.org/fhir/ids' });
 * ids.encounter; // 'https://ehr.example.org/fhir/ids/agency/1234567893/encounter'
 * identifierSystems({ agency: '1234567893' }).encounter; // 'urn:peer-fhir:agency:1234567893:encounter'
 * ```
 * @category Terminology
 */
export function identifierSystems(scope: IdentityScope) {
  return systemsUnder(agencyNamespace(scope));
}

/** The systems under one finished namespace; `identifierSystems` and the migration helper share it. */
function systemsUnder(namespace: string): IdentifierSystems {
  const sep = namespace.startsWith('urn:') ? ':' : '/';
  const base = namespace.endsWith(sep) ? namespace.slice(0, -1) : namespace;
  const sys = (kind: string) => `${base}${sep}${kind}`;
  return {
    namespace: base,
    participant: sys('participant'),
    mrn: sys('mrn'),
    medicaidId: sys('medicaid-id'),
    coverage: sys('coverage'),
    encounter: sys('encounter'),
    groupSession: sys('group-session'),
    groupAttendance: sys('group-attendance'),
    location: sys('location'),
    peerGroup: sys('peer-group'),
    diagnosis: sys('encounter-diagnosis'),
    note: sys('encounter-note'),
    practitionerRole: sys('practitioner-role'),
    credential: sys('credential'),
    plan: sys('recovery-plan'),
    goal: sys('recovery-goal'),
    careTeam: sys('care-team'),
    consent: sys('consent'),
    claim: sys('claim'),
    claimResponse: sys('claim-response'),
    payer: sys('payer'),
    recipient: sys('recipient'),
    provenance: sys('provenance'),
    serviceOrder: sys('service-order'),
    priorAuthorization: sys('prior-authorization'),
  };
}

/**
 * The identifier systems an earlier peer-fhir version wrote under one unscoped namespace (default
 * `urn:peer-fhir:default`), for migrating such data to agency-scoped systems (docs/migration.md).
 *
 * @param namespace - the unscoped namespace an earlier version wrote under
 * @returns the identifier system URI of each kind of record
 * @example
 * ```ts
 * const old = legacyIdentifierSystems();
 * const now = identifierSystems({ agency: '1234567893' });
 * // re-key: Patient?identifier=old.participant|p-1 gets the identifier now.participant|p-1
 * console.log(old.participant, now.participant);
 * ```
 * @category Terminology
 */
export function legacyIdentifierSystems(namespace: string = DEFAULT_ID_NAMESPACE): IdentifierSystems {
  return systemsUnder(namespace);
}

/** The identifier systems of one agency (or, for migration, of one legacy namespace). @category Terminology */
export interface IdentifierSystems {
  readonly namespace: string;
  readonly participant: string;
  readonly mrn: string;
  readonly medicaidId: string;
  readonly coverage: string;
  readonly encounter: string;
  readonly groupSession: string;
  readonly groupAttendance: string;
  /** Named places of encounters (US Core Location). */
  readonly location: string;
  readonly peerGroup: string;
  readonly diagnosis: string;
  readonly note: string;
  readonly practitionerRole: string;
  readonly credential: string;
  readonly plan: string;
  readonly goal: string;
  readonly careTeam: string;
  readonly consent: string;
  readonly claim: string;
  readonly claimResponse: string;
  readonly payer: string;
  readonly recipient: string;
  readonly provenance: string;
  /** A service order (ServiceRequest, intent `order`) billing checks before a service (NC CCP 8G). */
  readonly serviceOrder: string;
  /** A payer's prior authorization, stored as a Claim with `use` `preauthorization`. */
  readonly priorAuthorization: string;
}
