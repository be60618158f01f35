import type { MemoryRepository } from '@medplum/fhir-router';
import type { Resource } from 'fhir/r4.js';
import { randomId } from '../random-id.js';
import { storeMapsOf } from './memory-repository.js';

// A copy of what Medplum 4.5.2's `MemoryRepository.createResource` does to a resource it stores (assumption A6 of
// ./index.ts), without its two JSON copies, for objects the server owns.

/**
 * Store a resource the server owns (parsed from a request body and referenced nowhere else) exactly as Medplum
 * 4.5.2's `MemoryRepository.createResource` stores it: empty values removed, `meta.versionId` and `meta.lastUpdated`
 * set, a first version appended to the history. Medplum does that through a JSON copy of its input and returns a
 * second copy, to protect a caller's object; for an object nobody else holds both copies are pure cost. The returned
 * resource IS the stored one: the caller may only serialize it. `rewrite`, when given, is applied to every string
 * value first (a batch's urn:uuid references), in the same walk. `shareVocabulary: false` for a store that keeps no
 * object (the SQLite store serializes what it is given): the shared strings would only cost a lookup each.
 */
export function storeOwned<T extends Resource>(
  repo: MemoryRepository,
  resource: T & { id: string },
  rewrite?: (s: string) => string,
  shareVocabulary = true,
): T & { id: string } {
  const result = (withoutEmpty(resource, '', rewrite, shareVocabulary ? shared : undefined) ?? { resourceType: resource.resourceType }) as T & {
    id: string;
  };
  const meta = (result.meta ??= {});
  meta.versionId ||= randomId();
  meta.lastUpdated ||= new Date().toISOString();
  // The same calls on the same maps as createResource (assumption A3), so either store's maps can stand in.
  const { resources: store, history } = storeMapsOf(repo);
  const { resourceType, id } = result;
  let resources = store.get(resourceType);
  if (!resources) store.set(resourceType, (resources = new Map()));
  resources.set(id, result);
  let typeHistory = history.get(resourceType);
  if (!typeHistory) history.set(resourceType, (typeHistory = new Map()));
  let versions = typeHistory.get(id);
  if (!versions) typeHistory.set(id, (versions = []));
  versions.push(result);
  return result;
}

/**
 * FHIR vocabulary elements: Coding/Identifier/Quantity `system`, `code`, `display`, `unit`, Extension `url`,
 * `meta.profile`, Attachment `contentType`, status-like codes. Their values repeat across nearly every resource,
 * and JSON.parse gives each occurrence its own string: in a bulk write they were more than half of what the store
 * kept (and what every garbage collection copied or marked). Stored values under these keys share one instance.
 */
const VOCABULARY_KEYS: ReadonlySet<string> = new Set(['system', 'code', 'display', 'unit', 'url', 'profile', 'contentType', 'status', 'use', 'type', 'resourceType', 'language', 'version']);
const vocabulary = new Map<string, string>();
// Bounded (cleared when full): free text under a vocabulary key (a Reference.display) must not grow it forever.
const VOCABULARY_MAX = 10_000;
const VOCABULARY_VALUE_MAX = 256;

function shared(value: string): string {
  // V8's JSON.parse already gives short values (up to 10 characters) one shared instance.
  if (value.length <= 10 || value.length > VOCABULARY_VALUE_MAX) return value;
  const known = vocabulary.get(value);
  if (known !== undefined) return known;
  if (vocabulary.size >= VOCABULARY_MAX) vocabulary.clear();
  vocabulary.set(value, value);
  return value;
}

/**
 * Medplum's `removeEmptyFromUnknown` (what its `stringify` applies before storing): drops undefined, null, '' and
 * empty objects/arrays; inside arrays an emptied element becomes null so positions are kept. Copy-on-write, like
 * Medplum's: an object with nothing to remove is returned as is. Only used on values the server owns, so strings
 * under {@link VOCABULARY_KEYS} are also swapped, in place, for what `share` gives (their shared instance, same value).
 */
function withoutEmpty(value: unknown, key = '', rewrite?: (s: string) => string, share?: (s: string) => string): unknown {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    const vocabularyList = share !== undefined && VOCABULARY_KEYS.has(key);
    let copy: unknown[] | undefined;
    let kept = 0;
    for (let i = 0; i < value.length; i++) {
      let before: unknown = value[i];
      if (typeof before === 'string' && before !== '') {
        let text = rewrite ? rewrite(before) : before;
        if (vocabularyList) text = share(text);
        value[i] = before = text;
      }
      const after = withoutEmpty(before, key, rewrite, share);
      if (after !== before) copy ??= [...value];
      if (after === undefined) {
        if (copy) copy[i] = null;
      } else {
        if (copy) copy[i] = after;
        kept++;
      }
    }
    return kept === 0 ? undefined : (copy ?? value);
  }
  const object = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  let kept = 0;
  for (const name in object) {
    const before = object[name];
    if (typeof before === 'string' && before !== '') {
      let text = rewrite ? rewrite(before) : before;
      if (share !== undefined && VOCABULARY_KEYS.has(name)) text = share(text);
      // Same value or a rewritten one: assigned in place (the object is the server's own). A copy made for an
      // earlier emptied key took this key's value before, so it gets it too.
      object[name] = text;
      if (copy) copy[name] = text;
      kept++;
      continue;
    }
    const after = withoutEmpty(before, name, rewrite, share);
    if (after !== before) copy ??= { ...object };
    if (after === undefined) {
      if (copy) delete copy[name];
    } else {
      if (copy) copy[name] = after;
      kept++;
    }
  }
  return kept === 0 ? undefined : (copy ?? object);
}
