import type { Bundle, BundleEntry, Coding, Identifier, Reference, Resource } from 'fhir/r4.js';
import type { ValidationIssue } from '../../errors.js';
import type { IdentifierSystems } from '../../terminology/identifiers.js';
import { Systems } from '../../terminology/systems.js';
import { stableUuid } from './hash.js';

/**
 * The identity of a resource peer-fhir writes: its type and the identifier (system and value) it is created under.
 * @category FHIR mapping
 */
export interface RecordKey {
  resourceType: string;
  system: string;
  value: string;
}

/** Key of a record in a bundle: the identifier (or, for Provenance, the record-key tag) it is created under. */
export interface EntryKey {
  resourceType: Resource['resourceType'];
  search: 'identifier' | '_tag';
  system: string;
  value: string;
}

/** Collects conditional-create entries for one transaction, deduplicated by key, with urn:uuid references. */
export class TransactionBuilder {
  readonly issues: ValidationIssue[] = [];
  private readonly entries = new Map<string, BundleEntry>();

  constructor(
    readonly ids: IdentifierSystems,
    private readonly existing?: (key: RecordKey) => string | undefined,
  ) {}

  /** Full URL the entry for `key` has (or will have). */
  fullUrl(key: EntryKey): string {
    return `urn:uuid:${stableUuid(`${key.resourceType}|${key.system}|${key.value}`)}`;
  }

  /** Reference to the entry for `key`, or to the resource already on the server. */
  ref(key: EntryKey): Reference {
    const fullUrl = this.fullUrl(key);
    if (this.entries.has(fullUrl)) return { reference: fullUrl };
    const literal = this.existing?.({ resourceType: key.resourceType, system: key.system, value: key.value });
    return { reference: literal ?? fullUrl };
  }

  /** True when the bundle holds the entry, or the caller says the resource is already on the server. */
  has(key: EntryKey): boolean {
    return this.entries.has(this.fullUrl(key)) || this.existing?.({ resourceType: key.resourceType, system: key.system, value: key.value }) !== undefined;
  }

  /**
   * Add a resource under its key and return a reference to it. The same record may be added many times (a participant
   * named by many encounters), but never with different content: that would silently drop one version.
   */
  add(key: EntryKey, resource: Resource, path: string = key.resourceType): Reference {
    const fullUrl = this.fullUrl(key);
    const present = this.entries.get(fullUrl);
    if (present && JSON.stringify(present.resource) !== JSON.stringify(resource)) {
      this.problem(path, 'conflicting_duplicate', `the same ${key.resourceType} appears twice with different content (write one version per bundle; update it to change it)`);
    }
    if (!present) {
      this.entries.set(fullUrl, {
        fullUrl,
        resource,
        request: {
          method: 'POST',
          url: key.resourceType,
          ifNoneExist: `${key.search}=${encodeURIComponent(key.system)}|${encodeURIComponent(key.value)}`,
        },
      });
    }
    return { reference: fullUrl };
  }

  problem(path: string, code: string, message: string): void {
    this.issues.push({ path, code, message });
  }

  toBundle(): Bundle {
    return { resourceType: 'Bundle', type: 'transaction', entry: [...this.entries.values()] };
  }
}

export function identifierKey(resourceType: Resource['resourceType'], identifier: Identifier): EntryKey {
  return { resourceType, search: 'identifier', system: identifier.system ?? '', value: identifier.value ?? '' };
}

/** A logical reference by identifier, for records that are not in the bundle. */
export function logicalRef(type: string, system: string, value: string, display?: string): Reference {
  return { type, identifier: { system, value }, ...(display ? { display } : {}) };
}

export function coding(system: string, code: string, display?: string): Coding {
  return display === undefined ? { system, code } : { system, code, display };
}

export function npiIdentifier(npi: string): Identifier {
  return { use: 'official', system: Systems.NPI, value: npi };
}
