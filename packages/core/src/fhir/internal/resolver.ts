import type { Bundle, FhirResource, Identifier, Reference, Resource } from 'fhir/r4.js';

type Typed<T extends Resource['resourceType']> = Extract<FhirResource, { resourceType: T }>;

/** Looks resources up by fullUrl, `Type/id`, absolute URL or identifier, for reading bundles back. */
export class ResourceIndex {
  private readonly byUrl = new Map<string, Resource>();
  private readonly all: Resource[] = [];

  constructor(input: Bundle | readonly Resource[]) {
    const entries = Array.isArray(input)
      ? (input as readonly Resource[]).map((resource) => ({ fullUrl: undefined as string | undefined, resource }))
      : ((input as Bundle).entry ?? []).map((e) => ({ fullUrl: e.fullUrl, resource: e.resource }));
    for (const { fullUrl, resource } of entries) {
      if (!resource) continue;
      this.all.push(resource);
      if (fullUrl) this.byUrl.set(fullUrl, resource);
      if (resource.id) this.byUrl.set(`${resource.resourceType}/${resource.id}`, resource);
    }
  }

  ofType<T extends Resource['resourceType']>(type: T): Typed<T>[] {
    return this.all.filter((r): r is Typed<T> => r.resourceType === type);
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
    return this.ofType(type).find((r) => identifiersOf(r).some((i) => i.system === system && i.value === value));
  }

  /** Resources of `type` whose `path` reference points at `target`. */
  referencing<T extends Resource['resourceType']>(type: T, target: Resource, pick: (r: Typed<T>) => (Reference | undefined)[]): Typed<T>[] {
    return this.ofType(type).filter((r) => pick(r).some((ref) => ref !== undefined && this.resolveAny(ref) === target));
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
