// Long mode (`pnpm test:long`): a generated year of a large agency validates against every profile it names
// (US Core 6.1.0 and peer-fhir). CI runs the small agency in test/e2e/profile-conformance.test.ts.
import type { Bundle } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { toFhir } from '@peer-fhir/core';
import { generateAgency } from '@peer-fhir/testing';
import { bundleProfileProblems, summarize } from '../support/profile-validator.js';
import { LONG } from './support/mode.js';

describe('profile conformance of a year', () => {
  it.runIf(LONG)('a generated year of a 200-participant agency: every resource conforms to each profile it names', () => {
    const a = generateAgency({ seed: 2026, months: 12, participants: 200 });
    const common = { organizations: [a.organization], specialists: a.specialists };
    const problems: Record<string, number> = {};
    const add = (b: Bundle) => {
      for (const [k, n] of Object.entries(summarize(bundleProfileProblems(b)))) problems[k] = (problems[k] ?? 0) + n;
    };
    // Encounters in slices of 500 (bundles of a realistic size), each with the roster it refers to.
    for (let i = 0; i < a.encounters.length; i += 500) {
      add(toFhir({ ...common, participants: a.participants, encounters: a.encounters.slice(i, i + 500) }));
    }
    add(toFhir({ ...common, participants: a.participants, consents: a.consents }));
    for (const plan of a.plans) add(toFhir({ ...common, participants: a.participants.filter((p) => p.id === plan.participantId), plans: [plan] }));
    expect(problems).toEqual({});
  }, 3_600_000);
});
