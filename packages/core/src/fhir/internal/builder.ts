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
  // Each key is asked about several times (has, ref, add); hashing and the caller's `existing` run once per key.
  // Nested by type, system, value: no concatenated key string to build and hash on every call.
  private readonly urls = new Map<string, Map<string, Map<string, string>>>();
  private readonly known = new Map<string, string | undefined>();

  constructor(
    readonly ids: IdentifierSystems,
    private readonly existing?: (key: RecordKey) => string | undefined,
  ) {}

  /** Full URL the entry for `key` has (or will have). */
  fullUrl(key: EntryKey): string {
    let bySystem = this.urls.get(key.resourceType);
    if (!bySystem) this.urls.set(key.resourceType, (bySystem = new Map()));
    let byValue = bySystem.get(key.system);
    if (!byValue) bySystem.set(key.system, (byValue = new Map()));
    let url = byValue.get(key.value);
    if (url === undefined) {
      url = `urn:uuid:${stableUuid(`${key.resourceType}|${key.system}|${key.value}`)}`;
      byValue.set(key.value, url);
    }
    return url;
  }

  /** The caller's answer for a record not in the bundle, asked once per key. */
  private lookup(key: EntryKey, fullUrl: string): string | undefined {
    if (!this.existing) return undefined;
    if (this.known.has(fullUrl)) return this.known.get(fullUrl);
    const literal = this.existing({ resourceType: key.resourceType, system: key.system, value: key.value });
    this.known.set(fullUrl, literal);
    return literal;
  }

  /** Reference to the entry for `key`, or to the resource already on the server. */
  ref(key: EntryKey): Reference {
    const fullUrl = this.fullUrl(key);
    if (this.entries.has(fullUrl)) return { reference: fullUrl };
    return { reference: this.lookup(key, fullUrl) ?? fullUrl };
  }

  /** True when the bundle holds the entry, or the caller says the resource is already on the server. */
  has(key: EntryKey): boolean {
    const fullUrl = this.fullUrl(key);
    return this.entries.has(fullUrl) || this.lookup(key, fullUrl) !== undefined;
  }

  /**
   * Add a resource under its key and return a reference to it. The same record may be added many times (a participant
   * named by many encounters), but never with different content: that would silently drop one version.
   */
  add(key: EntryKey, resource: Resource, path: string = key.resourceType): Reference {
    const fullUrl = this.fullUrl(key);
    const present = this.entries.get(fullUrl);
    if (present && !sameJson(present.resource, resource)) {
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

/**
 * Deep equality of two JSON values as JSON.stringify would compare them (same keys in the same order, `undefined`
 * members ignored), without serialising both: duplicates are common (a shared Group, a participant per encounter).
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // JSON.stringify writes every non-finite number as null.
  if (typeof a === 'number' && typeof b === 'number') return !Number.isFinite(a) && !Number.isFinite(b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      const x = a[i] === undefined ? null : a[i];
      const y = b[i] === undefined ? null : b[i];
      if (!sameJson(x, y)) return false;
    }
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i]!;
    if (k !== kb[i] || !sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
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
