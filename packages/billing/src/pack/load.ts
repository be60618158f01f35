/**
 * Loading and validating rule packs, and the built-in seed packs.
 * @module
 */
import { PeerFhirValidationError, type ValidationIssue } from '@peer-fhir/core';
import { RulePack } from './schema.js';
import { BUILT_IN_PACK_JSON } from '../packs/index.js';

/**
 * A rule pack failed validation. `issues` lists every problem with its path (`caps[1].window`); pack data holds no PHI.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#loading
 * @example
 * ```ts
 * try { loadPack(json); } catch (e) { if (e instanceof RulePackError) console.log(e.issues.map((i) => i.path)); }
 * ```
 * @category Rule packs
 */
export class RulePackError extends PeerFhirValidationError {
  constructor(issues: readonly ValidationIssue[]) {
    super('RulePack', issues, 'billing.rule-pack');
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

/**
 * Validate JSON as a rule pack; returns the typed pack with defaults applied or throws {@link RulePackError} listing every problem.
 *
 * @param json - the pack as parsed JSON
 * @returns the typed pack with defaults applied
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md
 * @example
 * ```ts
 * import myPack from './my-payer.json' with { type: 'json' };
 * const pack = loadPack(myPack);
 * ```
 * @category Rule packs
 */
export function loadPack(json: unknown): RulePack {
  const r = RulePack.safeParse(json);
  if (r.success) return r.data;
  const issues: ValidationIssue[] = [];
  const walk = (list: readonly { code: string; path: PropertyKey[]; message: string; errors?: unknown }[], prefix: PropertyKey[]) => {
    for (const i of list) {
      const branches = i.code === 'invalid_union' && Array.isArray(i.errors) ? (i.errors as (typeof list)[]) : [];
      if (branches.length > 0) {
        // Report the branch closest to matching: the one with fewest problems.
        const best = branches.reduce((a, b) => (b.length < a.length ? b : a));
        walk(best, [...prefix, ...i.path]);
        continue;
      }
      issues.push({ path: formatPath([...prefix, ...i.path]), code: i.code, message: i.message });
    }
  };
  walk(r.error.issues as never, []);
  throw new RulePackError(issues);
}

let cache: readonly RulePack[] | undefined;

/**
 * The built-in seed packs (NC, NJ, TX, OH, GA, PA, Medicare PIN-PS), validated on first use.
 *
 * @returns every built-in pack, validated
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#seed-packs
 * @example
 * ```ts
 * listPacks().map((p) => `${p.id}@${p.version}`);
 * ```
 * @category Rule packs
 */
export function listPacks(): readonly RulePack[] {
  cache ??= BUILT_IN_PACK_JSON.map((j) => loadPack(j));
  return cache;
}

/**
 * A built-in pack by id; throws a RangeError naming the known ids when there is none.
 *
 * @param id - a built-in pack id
 * @returns the validated pack
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#seed-packs
 * @example
 * ```ts
 * const nc = getPack('nc-alliance-peer-support-2019');
 * ```
 * @category Rule packs
 */
export function getPack(id: string): RulePack {
  const p = listPacks().find((x) => x.id === id);
  if (!p) throw new RangeError(`no built-in rule pack "${id}"; known: ${listPacks().map((x) => x.id).join(', ')}`);
  return p;
}
