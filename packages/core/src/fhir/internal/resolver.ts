import type { Bundle, FhirResource, Identifier, Reference, Resource } from 'fhir/r4.js';

type Typed<T extends Resource['resourceType']> = Extract<FhirResource, { resourceType: T }>;

type Pick = (r: never) => (Reference | undefined)[];

/**
 * Looks resources up by fullUrl, `Type/id`, absolute URL or identifier, for reading bundles back. Lookups by type,
 * identifier and reverse reference are indexed on first use, so reading n resources back is O(n), not O(n^2).
 */
export class ResourceIndex {
  private readonly byUrl = new Map<string, Resource>();
  private readonly all: Resource[] = [];
  private readonly byType = new Map<string, Resource[]>();
  private byIdentifierIndex: Map<string, Resource> | undefined;
  // Per pick function (hoist it to a constant to share the index), per type: target -> resources referencing it.
  private readonly reverse = new Map<Pick, Map<string, Map<Resource, Resource[]>>>();

  constructor(input: Bundle | readonly Resource[]) {
    const entries = Array.isArray(input)
      ? (input as readonly Resource[]).map((resource) => ({ fullUrl: undefined as string | undefined, resource }))
      : ((input as Bundle).entry ?? []).map((e) => ({ fullUrl: e.fullUrl, resource: e.resource }));
    for (const { fullUrl, resource } of entries) {
      if (!resource) continue;
      this.all.push(resource);
      const list = this.byType.get(resource.resourceType);
      if (list) list.push(resource);
      else this.byType.set(resource.resourceType, [resource]);
      if (fullUrl) this.byUrl.set(fullUrl, resource);
      if (resource.id) this.byUrl.set(`${resource.resourceType}/${resource.id}`, resource);
    }
  }

  /** Resources of `type` in input order (a shared array: do not mutate). */
  ofType<T extends Resource['resourceType']>(type: T): readonly Typed<T>[] {
    return (this.byType.get(type) ?? []) as Typed<T>[];
  }

  /** Resolve a literal reference (urn:uuid, relative or absolute) or a logical one (by identifier). */
  resolve<T extends Resource['resourceType']>(ref: Reference | undefined, type: T): Typed<T> | undefined {
    if (!ref) return undefined;
    if (ref.reference) {
      const direct = this.byUrl.get(ref.reference);
      const found = direct ?? this.byUrl.get(ref.reference.split('/').slice(-2).join('/'));
      return found?.resourceType === type ? (found as Typed<T>) : undefined;
    }
    if (ref.identifier?.system && ref.identifier.value) return this.byIdentifier(type, ref.identifier.system, ref.identifier.value);
    return undefined;
  }

  byIdentifier<T extends Resource['resourceType']>(type: T, system: string, value: string): Typed<T> | undefined {
    if (!this.byIdentifierIndex) {
      const index = new Map<string, Resource>();
      for (const r of this.all) {
        for (const i of identifiersOf(r)) {
          const k = identifierKey(r.resourceType, i.system, i.value);
          if (!index.has(k)) index.set(k, r);
        }
      }
      this.byIdentifierIndex = index;
    }
    return this.byIdentifierIndex.get(identifierKey(type, system, value)) as Typed<T> | undefined;
  }

  /** Resources of `type` whose `path` reference points at `target`. */
  referencing<T extends Resource['resourceType']>(type: T, target: Resource, pick: (r: Typed<T>) => (Reference | undefined)[]): readonly Typed<T>[] {
    let byType = this.reverse.get(pick as Pick);
    if (!byType) this.reverse.set(pick as Pick, (byType = new Map()));
    let byTarget = byType.get(type) as Map<Resource, Typed<T>[]> | undefined;
    if (!byTarget) {
      byTarget = new Map();
      for (const r of this.ofType(type)) {
        const seen = new Set<Resource>();
        for (const ref of pick(r)) {
          const t = ref === undefined ? undefined : this.resolveAny(ref);
          if (t === undefined || seen.has(t)) continue;
          seen.add(t);
          const list = byTarget.get(t);
          if (list) list.push(r);
          else byTarget.set(t, [r]);
        }
      }
      byType.set(type, byTarget as Map<Resource, Resource[]>);
    }
    return byTarget.get(target) ?? [];
  }

  resolveAny(ref: Reference): Resource | undefined {
    if (!ref.reference) return undefined;
    return this.byUrl.get(ref.reference) ?? this.byUrl.get(ref.reference.split('/').slice(-2).join('/'));
  }
}

export function identifiersOf(r: Resource): Identifier[] {
  const ids = (r as { identifier?: Identifier | Identifier[] }).identifier;
  if (!ids) return [];
  return Array.isArray(ids) ? ids : [ids];
}

export function identifierValue(r: Resource, system: string): string | undefined {
  return identifiersOf(r).find((i) => i.system === system)?.value;
}

/** The identifier value of a reference: the target's (resolved) or the logical one. */
export function refIdentifier(index: ResourceIndex, ref: Reference | undefined, system: string): string | undefined {
  if (!ref) return undefined;
  if (ref.identifier?.system === system) return ref.identifier.value;
  const target = index.resolveAny(ref);
  return target ? identifierValue(target, system) : undefined;
}

/**
 * An unambiguous key of (type, system, value): input identifiers may hold any character, so a plain `a|b|c` join would
 * let (`T`, `x|y`, `z`) find the resource of (`T`, `x`, `y|z`).
 */
function identifierKey(type: string, system: string | undefined, value: string | undefined): string {
  return JSON.stringify([type, system ?? null, value ?? null]);
}
