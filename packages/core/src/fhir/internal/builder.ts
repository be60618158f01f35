import type { Bundle, BundleEntry, BundleEntryRequest, Identifier, Reference, Resource } from 'fhir/r4.js';
import type { ValidationIssue } from '../../errors.js';
import type { IdentifierSystems } from '../../terminology/identifiers.js';
import { Systems } from '../../terminology/systems.js';
import { hashPrefix, stableUrnAfter, type HashState } from './hash.js';
import { part2SecurityLabels } from '../../security/part2-labels.js';
import type { RecordKey } from '../keys.js';
import { blank, list, reference } from './fresh.js';

export type { RecordKey };
export { coding } from './fresh.js';

/** Key of a record in a bundle: the identifier (or, for Provenance, the record-key tag) it is created under. */
export interface EntryKey {
  resourceType: Resource['resourceType'];
  search: 'identifier' | '_tag';
  system: string;
  value: string;
}

/** What a builder knows about one fullUrl: the entry it holds, and the caller's `existing` answer once asked. */
interface UrlState {
  url: string;
  entry: BundleEntry | undefined;
  asked: boolean;
  literal: string | undefined;
}

/**
 * Keys of one resource type and identifier system: the hash state of `type|system|`, the keys seen so far, and whether
 * a key of this slot can have the hashed text of a key of another slot of the type (see `TransactionBuilder.byUrl`).
 */
interface Slot {
  hash: HashState;
  byValue: Map<string, UrlState>;
  shared: boolean;
}

// A builder's own records live as long as its toFhir call and point at the entries it makes, so they are built
// without literals too (see fresh.ts): a process whose V8 pretenured the UrlState literal (~1,000 objects per call
// of 100 encounters) kept every entry alive across scavenges until the next full GC and ran 3-4x slower
// (docs/benchmarks.md, B1).

/** A fresh UrlState for `url` (not yet in the bundle, `existing` not asked). */
function urlState(url: string): UrlState {
  const st = blank<UrlState>();
  st.url = url;
  st.entry = undefined;
  st.asked = false;
  st.literal = undefined;
  return st;
}

/** A fresh Slot of `type|system|`. */
function slotOf(resourceType: string, system: string): Slot {
  const slot = blank<Slot>();
  slot.hash = prefixHash(resourceType, system);
  slot.byValue = new Map();
  slot.shared = false;
  return slot;
}

// Process-wide caches of values that depend only on (type, system) or (search, system): a few namespaces' worth of
// strings. Every TransactionBuilder (one per toFhir call, often per 100 records) would otherwise redo this work.
// Cleared when large so that a caller cycling through many namespaces cannot grow them without bound.
const MAX_CACHED = 1024;
const prefixHashes = new Map<string, HashState>();
const conditionPrefixes = new Map<string, Map<string, string>>();

function prefixHash(resourceType: string, system: string): HashState {
  const prefix = `${resourceType}|${system}|`;
  let h = prefixHashes.get(prefix);
  if (h === undefined) {
    if (prefixHashes.size >= MAX_CACHED) prefixHashes.clear();
    prefixHashes.set(prefix, (h = hashPrefix(prefix)));
  }
  return h;
}

/** `search=<encoded system>|`: encodeURIComponent of a long system URL is otherwise the costliest part of `add`. */
function conditionPrefix(search: EntryKey['search'], system: string): string {
  // Nested, not keyed by `${search} ${system}`: a concatenated key would be built and hashed on every call.
  let bySystem = conditionPrefixes.get(search);
  if (!bySystem) conditionPrefixes.set(search, (bySystem = new Map()));
  let p = bySystem.get(system);
  if (p === undefined) {
    if (bySystem.size >= MAX_CACHED) bySystem.clear();
    bySystem.set(system, (p = `${search}=${encodeURIComponent(system)}|`));
  }
  return p;
}

const PART2_DESCRIBING_TYPES: ReadonlySet<string> = new Set(['CarePlan', 'Goal', 'CareTeam', 'Consent', 'Coverage', 'Provenance']);

/**
 * A copy of `resource` whose `meta.security` also holds the four Part 2 labels (those it lacks, after its own).
 * `withPart2Labels` of the security module for the resources the mappers build, whose labels are already in canonical
 * form: without its normalisation of foreign spellings, which would put the label tables into the browser entry.
 */
function withPart2Labels<T extends Resource>(resource: T): T {
  const security = resource.meta?.security?.slice() ?? [];
  for (const label of part2SecurityLabels()) {
    if (!security.some((s) => s.system === label.system && s.code === label.code)) security.push(label);
  }
  return { ...resource, meta: { ...resource.meta, security } };
}

/** Collects conditional-create entries for one transaction, deduplicated by key, with urn:uuid references. */
export class TransactionBuilder {
  readonly issues: ValidationIssue[] = [];
  private readonly entries: BundleEntry[] = list();
  // Each key is asked about several times (has, ref, add); hashing and the caller's `existing` run once per key.
  // Nested by type, system, value: no concatenated key string to build and hash on every call.
  private readonly slots = new Map<string, Map<string, Slot>>();
  // Entries are identified by fullUrl, as they always were: keys whose hashed text `type|system|value` is the same,
  // such as (T, 'a|b', 'c') and (T, 'a', 'b|c'), share one entry. Two keys of one type and different systems have the
  // same text only when the longer system holds a '|' (it must read `<shorter system>|...`), so the fullUrls of a type
  // are indexed here only once a system with a '|' appears in it (slots marked `shared`); until then a new key needs
  // no lookup by its fullUrl, which was a tenth of toFhir's time (docs/benchmarks.md, B1).
  private readonly byUrl = new Map<string, UrlState>();

  constructor(
    readonly ids: IdentifierSystems,
    private readonly existing?: (key: RecordKey) => string | undefined,
  ) {}

  private state(key: EntryKey): UrlState {
    let bySystem = this.slots.get(key.resourceType);
    if (!bySystem) this.slots.set(key.resourceType, (bySystem = new Map()));
    let slot = bySystem.get(key.system);
    if (!slot) slot = this.newSlot(bySystem, key);
    let st = slot.byValue.get(key.value);
    if (st === undefined) {
      const url = stableUrnAfter(slot.hash, key.value);
      if (slot.shared) {
        st = this.byUrl.get(url);
        if (st === undefined) this.byUrl.set(url, (st = urlState(url)));
      } else {
        st = urlState(url);
      }
      slot.byValue.set(key.value, st);
    }
    return st;
  }

  /**
   * The slot of `key`'s system in `bySystem` (the slots of its type), new. The first system of a type that holds a '|'
   * marks every slot of the type shared and indexes the fullUrls they already have; later slots of the type are shared.
   */
  private newSlot(bySystem: Map<string, Slot>, key: EntryKey): Slot {
    const slot = slotOf(key.resourceType, key.system);
    const first = bySystem.values().next();
    slot.shared = first.done === true ? key.system.includes('|') : first.value.shared;
    if (!slot.shared && key.system.includes('|')) {
      for (const other of bySystem.values()) {
        other.shared = true;
        for (const st of other.byValue.values()) this.byUrl.set(st.url, st);
      }
      slot.shared = true;
    }
    bySystem.set(key.system, slot);
    return slot;
  }

  /** Full URL the entry for `key` has (or will have). */
  fullUrl(key: EntryKey): string {
    return this.state(key).url;
  }

  /** The caller's answer for a record not in the bundle, asked once per fullUrl. */
  private lookup(key: EntryKey, st: UrlState): string | undefined {
    if (!this.existing) return undefined;
    if (!st.asked) {
      st.literal = this.existing({ resourceType: key.resourceType, system: key.system, value: key.value });
      st.asked = true;
    }
    return st.literal;
  }

  /** Reference to the entry for `key`, or to the resource already on the server. */
  ref(key: EntryKey): Reference {
    const st = this.state(key);
    if (st.entry) return reference(st.url);
    return reference(this.lookup(key, st) ?? st.url);
  }

  /** True when the bundle holds the entry, or the caller says the resource is already on the server. */
  has(key: EntryKey): boolean {
    const st = this.state(key);
    return st.entry !== undefined || this.lookup(key, st) !== undefined;
  }

  /** `has(key) ? ref(key) : undefined` with one lookup of the key instead of two. */
  refIfPresent(key: EntryKey): Reference | undefined {
    const st = this.state(key);
    if (st.entry) return reference(st.url);
    const literal = this.lookup(key, st);
    return literal === undefined ? undefined : reference(literal);
  }

  /**
   * Add a resource under its key and return a reference to it. The same record may be added many times (a participant
   * named by many encounters), but never with different content: that would silently drop one version.
   */
  // Issue 11: resources describing a patient of a Part 2 program carry the Part 2 labels (see `withPart2`).
  private part2Scope = false;

  /**
   * Run `fn` with every resource it adds of a type that describes the patient (CarePlan, Goal, CareTeam, Consent,
   * Coverage, Provenance) labelled with the Part 2 labels when `part2` is true.
   */
  withPart2<T>(part2: boolean, fn: () => T): T {
    const previous = this.part2Scope;
    this.part2Scope = previous || part2;
    try {
      return fn();
    } finally {
      this.part2Scope = previous;
    }
  }

  add(key: EntryKey, given: Resource, path: string = key.resourceType): Reference {
    const resource = this.part2Scope && PART2_DESCRIBING_TYPES.has(given.resourceType) ? withPart2Labels(given) : given;
    const st = this.state(key);
    const present = st.entry;
    if (present) {
      if (!sameJson(present.resource, resource)) {
        this.problem(path, 'conflicting_duplicate', `the same ${key.resourceType} appears twice with different content`);
      }
    } else {
      const request = blank<BundleEntryRequest>();
      request.method = 'POST';
      request.url = key.resourceType;
      request.ifNoneExist = conditionPrefix(key.search, key.system) + encodeURIComponent(key.value);
      const entry: BundleEntry = {};
      entry.fullUrl = st.url;
      entry.resource = resource;
      entry.request = request;
      this.entries.push((st.entry = entry));
    }
    return reference(st.url);
  }

  problem(path: string, code: string, message: string): void {
    this.issues.push({ path, code, message });
  }

  toBundle(): Bundle {
    return { resourceType: 'Bundle', type: 'transaction', entry: this.entries.slice() };
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
  const identifier: Identifier = {};
  identifier.system = system;
  identifier.value = value;
  const r: Reference = {};
  r.type = type;
  r.identifier = identifier;
  if (display) r.display = display;
  return r;
}

export function npiIdentifier(npi: string): Identifier {
  return { use: 'official', system: Systems.NPI, value: npi };
}
