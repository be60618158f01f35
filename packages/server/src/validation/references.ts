import type { Resource, StructureDefinition } from 'fhir/r4.js';
import { compilePath, elementPath, resolveReference } from './invariants.js';
import type { ProfileIssue } from './issues.js';
import { typeOfProfile } from './medplum-profiles.js';

/** A Reference element of a profile and the resource types its target profiles allow. */
interface TargetRule {
  path: string;
  types: ReadonlySet<string>;
  run: (resource: Resource) => unknown[];
}

const rulesByProfile = new Map<string, TargetRule[]>();

/** Every Reference element with target profiles (not `Resource`), one rule per element path. */
function compileRules(sd: StructureDefinition): TargetRule[] {
  const list: TargetRule[] = [];
  const seen = new Set<string>();
  for (const e of sd.snapshot?.element ?? []) {
    const targets = (e.type ?? []).filter((t) => t.code === 'Reference').flatMap((t) => t.targetProfile ?? []);
    if (!targets.length || !e.path.includes('.') || seen.has(e.path) || e.id?.includes(':')) continue;
    seen.add(e.path);
    const types = new Set(targets.map(typeOfProfile));
    if (types.has('Resource')) continue;
    const path = e.path.endsWith('[x]') ? `${elementPath(e.path)}.ofType(Reference)` : elementPath(e.path);
    list.push({ path: e.path, types, run: compilePath(`${path}.reference`) });
  }
  return list;
}

/** The resource type a reference points to: the resolved resource's, or the `Type/id` form's; undefined otherwise. */
function targetType(ref: unknown): string | undefined {
  if (typeof ref !== 'string') return undefined;
  const target = resolveReference(ref);
  if (target) return target.resourceType;
  return /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/.test(ref) ? ref.split('/')[0] : undefined;
}

/**
 * References to a resource type the profile does not allow (US Core Encounter.subject is a Patient: a Group there is
 * an issue). A reference that cannot be resolved in the input and is not `Type/id` is not judged.
 */
export function referenceIssues(resource: Resource, sd: StructureDefinition, at: Pick<ProfileIssue, 'resource' | 'resourceType'>): ProfileIssue[] {
  let rules = rulesByProfile.get(sd.url);
  if (!rules) rulesByProfile.set(sd.url, (rules = compileRules(sd)));
  const issues: ProfileIssue[] = [];
  for (const rule of rules) {
    for (const ref of rule.run(resource)) {
      const type = targetType(ref);
      if (type !== undefined && !rule.types.has(type)) {
        issues.push({ ...at, profile: sd.url, path: rule.path, code: 'reference-target', message: `refers to a ${type}; the profile allows ${[...rule.types].join(', ')}` });
      }
    }
  }
  return issues;
}
