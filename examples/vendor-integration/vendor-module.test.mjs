// The vendor's own tests: the FHIR server is msw handlers from @peer-fhir/testing (no port, no network), and
// withFaults() makes it answer 429/503 to show the vendor module survives a flaky server without duplicating data.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setupServer } from 'msw/node';
import { createFaultCounter, createFhirHandlers, generateAgency, withFaults } from '@peer-fhir/testing';
import { PeerFhirClient } from '@peer-fhir/client';
import { createVisitSync, toPeerEncounter } from './vendor-module.mjs';

const baseUrl = 'https://ehr.test/fhir';
const agency = generateAgency({ seed: 5, months: 1, participants: 4, state: 'NC' });
const roster = { organization: agency.organization, specialists: agency.specialists, participants: agency.participants };
const template = agency.encounters.find((e) => e.mode === 'individual');
const defaults = {
  organizationNpi: agency.organization.npi,
  program: template.program,
  setting: template.setting,
  placeOfService: template.placeOfService,
  supportTypes: template.supportTypes,
};
const visit = (n, extra = {}) => ({
  visitId: String(1000 + n),
  clientId: agency.participants[n % agency.participants.length].id,
  staffNpi: agency.specialists[0].npi,
  startedAt: `2025-01-${String(10 + n).padStart(2, '0')}T10:00:00-05:00`,
  endedAt: `2025-01-${String(10 + n).padStart(2, '0')}T10:50:00-05:00`,
  kind: 'office',
  diagnoses: ['F33.1'],
  ...extra,
});

const mock = setupServer();
beforeAll(() => mock.listen({ onUnhandledRequest: 'error' }));
afterEach(() => mock.resetHandlers());
afterAll(() => mock.close());

describe('toPeerEncounter', () => {
  it('maps a phone visit to an audio-only telehealth encounter', () => {
    const e = toPeerEncounter(visit(1, { kind: 'phone', partTwo: true }), defaults);
    expect(e).toMatchObject({ id: 'visit-1001', mode: 'individual', modality: 'audio-only', placeOfService: '10', part2: true });
    expect(e.attendees).toEqual([expect.objectContaining({ participantId: visit(1).clientId, diagnoses: ['F33.1'] })]);
  });

  it('rejects what the vendor cannot map, with a clear error', () => {
    expect(() => toPeerEncounter(visit(1, { kind: 'carrier-pigeon' }), defaults)).toThrow(/unknown visit kind/);
    expect(() => toPeerEncounter(visit(1, { endedAt: visit(1).startedAt }), defaults)).toThrow(/end/);
  });
});

describe('syncVisit against msw FHIR handlers', () => {
  it('records a visit once: the second sync finds it', async () => {
    mock.use(...createFhirHandlers({ baseUrl, validate: true }));
    const { syncVisit } = createVisitSync({ baseUrl, defaults, roster });
    const first = await syncVisit(visit(2));
    expect(first.created).toBe(true);
    expect(first.encounterId).toMatch(/^Encounter\//);
    const again = await syncVisit(visit(2));
    expect(again).toEqual({ ...first, created: false });
  });

  it('survives 429 and 503 answers (retries) without duplicates', async () => {
    const counter = createFaultCounter();
    mock.use(...withFaults(createFhirHandlers({ baseUrl, validate: true }), { rate: 0.3, kinds: ['rate-limit', 'unavailable'], seed: 42, retryAfterSeconds: 0, counter }));
    const { syncVisit } = createVisitSync({ baseUrl, defaults, roster, maxRetries: 6 });
    for (let n = 0; n < 4; n++) await syncVisit(visit(n));
    for (let n = 0; n < 4; n++) expect((await syncVisit(visit(n))).created).toBe(false);
    expect(counter.injected).toBeGreaterThan(0);

    const fhir = new PeerFhirClient({ baseUrl, maxRetries: 6 });
    const found = await fhir.search('Encounter', { _count: 100 });
    expect(found.total).toBe(4);
  });
});
