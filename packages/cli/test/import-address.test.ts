/** The participant address columns: carried to the Participant (the 837P subscriber, whose N3/N4 the TR3 requires). */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateAgency } from '@peer-fhir/testing';
import { parseConfig } from '../src/config.js';
import { assembleEncounter } from '../src/import/assemble.js';
import { configFor, readCsv } from './support.js';

const TEMPLATE = fileURLToPath(new URL('../../../docs/templates/encounters-template.csv', import.meta.url));

describe('participant address columns', () => {
  const config = parseConfig(configFor(generateAgency({ seed: 3, months: 1, participants: 2, state: 'TX', start: '2025-01-01' })));
  const rows = readCsv(TEMPLATE);

  it('carries the template address to the participant', () => {
    const r = assembleEncounter([{ row: 1, values: rows[0]! }], config);
    expect(r.ok && r.value.participants[0]!.address).toEqual({ line: ['12 Example Rd', 'Apt 3'], city: 'Austin', state: 'TX', postalCode: '78701' });
  });

  it('rejects a partial address naming the missing column, and imports a row without any address', () => {
    const partial = assembleEncounter([{ row: 1, values: { ...rows[0]!, participant_city: '' } }], config);
    expect(partial.ok).toBe(false);
    expect(!partial.ok && partial.rejected[0]!.reasons.join('; ')).toMatch(/participant_city/);
    const none = assembleEncounter([{ row: 1, values: { ...rows[0]!, participant_address_line: '', participant_address_line2: '', participant_city: '', participant_state: '', participant_postal_code: '' } }], config);
    expect(none.ok && none.value.participants[0]!.address).toBeUndefined();
  });
});
