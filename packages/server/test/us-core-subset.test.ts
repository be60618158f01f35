// The US Core StructureDefinitions shipped in @peer-fhir/server (fhir-packages/us-core-6.1.0-subset.json) are HL7's
// published US Core 6.1.0 (the vendored package, test/fixtures/fhir-packages), cut to what peer-fhir names: every US
// Core profile and extension in core's vocabulary, the extensions those profiles use, and documentation fields removed.
// PEER_FHIR_UPDATE_PROFILES=1 regenerates the file.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { ElementDefinition, StructureDefinition } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { Extensions, OutcomeProfiles, Profiles, ReferralProfiles, WorkforceProfiles } from '@peer-fhir/core';
import { readFhirPackage } from '../src/validation/index.js';

const VENDORED = new URL('../../../test/fixtures/fhir-packages/hl7.fhir.us.core-6.1.0.tgz', import.meta.url);
const SHIPPED = new URL('../fhir-packages/us-core-6.1.0-subset.json', import.meta.url);
const US_CORE = 'http://hl7.org/fhir/us/core/StructureDefinition/';

/** Element fields a validator does not read (prose and mappings to other standards). */
const PROSE: readonly string[] = ['definition', 'comment', 'requirements', 'alias', 'mapping'];

function withoutProse(sd: StructureDefinition): StructureDefinition {
  const { text: _text, mapping: _mapping, differential: _differential, ...rest } = sd;
  const element = (sd.snapshot?.element ?? []).map((e) => Object.fromEntries(Object.entries(e).filter(([k]) => !PROSE.includes(k))) as ElementDefinition);
  return { ...rest, snapshot: { element } };
}

/** The US Core profiles peer-fhir names, and (transitively) the US Core extensions their elements use. */
function named(all: Map<string, StructureDefinition>): string[] {
  const vocabulary = [Profiles, OutcomeProfiles, ReferralProfiles, WorkforceProfiles, Extensions].flatMap((v) => Object.values(v) as string[]);
  const urls = new Set(vocabulary.filter((u) => u.startsWith(US_CORE)));
  for (const url of [...urls]) {
    for (const e of all.get(url)?.snapshot?.element ?? []) for (const t of e.type ?? []) for (const p of t.profile ?? []) if (p.startsWith(US_CORE)) urls.add(p);
  }
  return [...urls].sort();
}

function generate(): unknown {
  const bytes = readFileSync(VENDORED);
  const pkg = readFhirPackage(bytes);
  const all = new Map(pkg.structureDefinitions.map((sd) => [sd.url, sd]));
  const urls = named(all);
  const missing = urls.filter((u) => !all.has(u));
  if (missing.length) throw new Error(`US Core 6.1.0 has no ${missing.join(', ')}`);
  return {
    package: {
      name: pkg.manifest.name,
      version: pkg.manifest.version,
      license: pkg.manifest.license,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    },
    types: Object.fromEntries([...all.values()].filter((sd) => sd.kind === 'resource').map((sd) => [sd.url, sd.type]).sort()),
    structureDefinitions: urls.map((u) => withoutProse(all.get(u)!)),
  };
}

describe('the US Core subset shipped with @peer-fhir/server', () => {
  it('is US Core 6.1.0 (CC0-1.0) as published, cut to the profiles and extensions peer-fhir names', () => {
    const generated = generate();
    if (process.env.PEER_FHIR_UPDATE_PROFILES === '1') {
      writeFileSync(SHIPPED, JSON.stringify(generated) + '\n');
      return;
    }
    const shipped = JSON.parse(readFileSync(SHIPPED, 'utf8')) as { package: { license: string; version: string }; structureDefinitions: StructureDefinition[] };
    expect(shipped).toEqual(generated);
    // The copy the provenance note (test/fixtures/fhir-packages/README.md) names, byte for byte.
    expect(shipped.package).toEqual({ name: 'hl7.fhir.us.core', version: '6.1.0', license: 'CC0-1.0', sha256: '4c4e7fbb07ef2fdb35bdfc3f5d09a417ee0d8644ea17cb3692ca6d03c4358b1d' });
    expect(shipped.structureDefinitions.map((sd) => sd.url)).toContain(`${US_CORE}us-core-encounter`);
  }, 180_000);
});
