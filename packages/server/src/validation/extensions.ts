import type { Resource } from 'fhir/r4.js';
import type { ProfileIssue } from './issues.js';
import { extensionStructureIssues, loadedProfile } from './medplum-profiles.js';

/** Extension URLs whose definitions must be known: peer-fhir's and US Core's. */
const MUST_BE_DEFINED = /^(https:\/\/peer-fhir\.org\/|http:\/\/hl7\.org\/fhir\/us\/core\/)/;

interface Found {
  path: string;
  ext: { url?: unknown };
}

/** Every extension in the resource (not inside extensions, not in contained resources), with its JSON path. */
function extensionsOf(value: unknown, path: string, out: Found[]): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => extensionsOf(v, `${path}[${i}]`, out));
    return;
  }
  if (!value || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    if ((k === 'extension' || k === 'modifierExtension') && Array.isArray(v)) {
      v.forEach((ext: Found['ext'], i) => out.push({ path: `${path}.${k}[${i}]`, ext }));
    } else if (k !== 'contained') {
      extensionsOf(v, `${path}.${k}`, out);
    }
  }
}

/** The value[x] types an extension definition allows, lower case (`string`, `codeableconcept`). */
function allowedValueTypes(url: string): string[] {
  const sd = loadedProfile(url);
  return (sd?.snapshot?.element.find((e) => e.path === 'Extension.value[x]')?.type ?? []).map((t) => t.code.toLowerCase());
}

function oneExtension({ path, ext }: Found, at: Pick<ProfileIssue, 'resource' | 'resourceType'>): ProfileIssue[] {
  if (typeof ext?.url !== 'string') return [];
  const url = ext.url;
  const sd = loadedProfile(url);
  if (!sd) {
    return MUST_BE_DEFINED.test(url) ? [{ ...at, profile: url, path, code: 'extension-unknown', message: 'no StructureDefinition is loaded for this extension' }] : [];
  }
  const issues: ProfileIssue[] = [];
  // Medplum accepts any value[x] type the base Extension allows; the definition's own type list is checked here.
  const allowed = allowedValueTypes(url);
  const valueKey = Object.keys(ext).find((k) => k.startsWith('value'));
  if (valueKey && allowed.length && !allowed.includes(valueKey.slice(5).toLowerCase())) {
    issues.push({ ...at, profile: url, path: `${path}.${valueKey}`, code: 'extension', message: `value type not allowed; the extension takes ${allowed.join(', ')}` });
  }
  for (const i of extensionStructureIssues({ ...ext, url }, sd)) {
    issues.push({ ...at, profile: url, path: i.path ? `${path} ${i.path}` : path, code: 'extension', message: i.message });
  }
  return issues;
}

/** Issues of every extension of a resource: unknown peer-fhir / US Core extensions, and values that break a definition. */
export function extensionIssues(resource: Resource, at: Pick<ProfileIssue, 'resource' | 'resourceType'>): ProfileIssue[] {
  const found: Found[] = [];
  extensionsOf(resource, resource.resourceType, found);
  return found.flatMap((f) => oneExtension(f, at));
}
