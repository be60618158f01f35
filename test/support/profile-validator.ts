/**
 * The test suite's view of `validateProfiles` (`@peer-fhir/server/validation`): problems labelled
 * `ResourceType position` with `invariant:<key>` codes, and a summary that keeps failure output short over many
 * resources. The validator itself, and the Medplum workarounds it needs, live in the server package.
 */
import type { Bundle, Resource } from 'fhir/r4.js';
import { builtInProfileUrls, validateProfiles, type ProfileIssue } from '@peer-fhir/server/validation';

/** One way a resource fails a profile it claims. */
export interface ProfileProblem {
  /** `ResourceType` plus its position (`entry[3]`). */
  resource: string;
  profile: string;
  /** Element path (FHIRPath) the problem is at. */
  path: string;
  /** The issue code; `invariant:<key>` for a constraint. */
  code: string;
  message: string;
}

function asProblem(i: ProfileIssue): ProfileProblem {
  return {
    resource: `${i.resourceType}${i.resource ? ` ${i.resource}` : ''}`,
    profile: i.profile,
    path: i.path,
    code: i.code === 'invariant' ? `invariant:${i.key}` : i.code,
    message: i.message,
  };
}

/** Whether a profile URL is built into the validator. */
export function hasProfile(url: string): boolean {
  return builtInProfileUrls().includes(url);
}

/** Problems of one resource against every profile it names. */
export function profileProblems(resource: Resource): ProfileProblem[] {
  return validateProfiles(resource).issues.map(asProblem);
}

/** Problems of every entry of a bundle, each resolved against the bundle. */
export function bundleProfileProblems(bundle: Bundle): ProfileProblem[] {
  return validateProfiles(bundle).issues.map(asProblem);
}

/** One line per problem, for test failure messages. */
export function formatProblems(problems: readonly ProfileProblem[]): string[] {
  return problems.map((p) => `${p.resource} ${p.profile.replace(/^.*StructureDefinition\//, '')} ${p.path} ${p.code}: ${p.message}`);
}

/** Problems grouped as `resourceType profile code path -> count`, to keep failure output short over many resources. */
export function summarize(problems: readonly ProfileProblem[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of problems) {
    const k = `${p.resource.split(' ')[0]} ${p.profile.replace(/^.*StructureDefinition\//, '')} ${p.code} ${p.path}: ${p.message}`;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}
