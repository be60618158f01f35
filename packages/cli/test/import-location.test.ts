// The encounter location columns (issue 15): a place named on an import row reaches the FHIR server as a US Core
// Location that the Encounter refers to (US Core Encounter.location, must support), and both validate against US Core
// 6.1.0 with `peer-fhir validate --profiles`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bundle, Encounter, Location } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFhirServer, type EmbeddedFhirServer } from '@peer-fhir/server';
import { generateAgency } from '@peer-fhir/testing';
import { parseConfig } from '../src/config.js';
import { assembleEncounter } from '../src/import/assemble.js';
import { configFor, readCsv, runCli } from './support.js';

const TEMPLATE = fileURLToPath(new URL('../../../docs/templates/encounters-template.csv', import.meta.url));
const US_CORE_LOCATION = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-location';

let server: EmbeddedFhirServer;
let dir = '';
const agency = generateAgency({ seed: 3, months: 1, participants: 2, state: 'TX', start: '2025-01-01' });

beforeAll(async () => {
  server = await startFhirServer();
  dir = mkdtempSync(join(tmpdir(), 'peer-fhir-location-'));
}, 180_000);

afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const searchset = async (query: string): Promise<Bundle> => (await (await fetch(`${server.url}/${query}`)).json()) as Bundle;

describe('encounter location columns', () => {
  it('reject a location without its id or name, naming the column', () => {
    const config = parseConfig(configFor(agency));
    const row = readCsv(TEMPLATE)[0]!;
    const r = assembleEncounter([{ row: 1, values: { ...row, location_name: '' } }], config);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.rejected[0]!.reasons.join('; ')).toMatch(/location_name/);
    const none = assembleEncounter([{ row: 1, values: { ...row, location_id: '', location_name: '', location_address_line: '', location_city: '', location_state: '', location_postal_code: '' } }], config);
    expect(none.ok && none.value.encounter.location).toBeUndefined();
  });

  it('an imported location reaches the server as a US Core Location the Encounter refers to, and both validate', async () => {
    const cfg = join(dir, 'peer-fhir.config.json');
    writeFileSync(cfg, JSON.stringify(configFor(agency)));
    const imported = await runCli(['import', TEMPLATE, '--fhir-url', server.url, '--config', cfg, '--json']);
    expect(imported.code).toBe(0);
    const locations = (await searchset('Location')).entry?.map((e) => e.resource as Location) ?? [];
    expect(locations.map((l) => l.name).sort()).toEqual(['Downtown drop-in center', 'Eastside clinic group room']);
    for (const l of locations) expect(l.meta?.profile).toContain(US_CORE_LOCATION);
    expect(locations.find((l) => l.name === 'Downtown drop-in center')?.address).toMatchObject({ line: ['500 Congress Ave'], city: 'Austin', state: 'TX', postalCode: '78701' });
    const encounters = (await searchset('Encounter?_count=100')).entry?.map((e) => e.resource as Encounter) ?? [];
    const placed = encounters.filter((e) => e.location?.length);
    expect(placed.length).toBeGreaterThanOrEqual(2);
    for (const e of placed) expect(locations.map((l) => `Location/${l.id}`)).toContain(e.location![0]!.location.reference);
    const file = join(dir, 'placed.json');
    writeFileSync(file, JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [...locations, ...placed].map((resource) => ({ resource })) }));
    const validated = await runCli(['validate', '--profiles', file, '--json']);
    const out = JSON.parse(validated.stdout) as { problems: unknown[]; byType: Record<string, { checked: number; failed: number }> };
    expect(out.problems).toEqual([]);
    expect(validated.code).toBe(0);
    expect(out.byType['Location']).toEqual({ checked: 2, failed: 0 });
  }, 180_000);
});
