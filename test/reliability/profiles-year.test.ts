// Long mode (`pnpm test:long`): a generated year of a large agency — every kind of resource peer-fhir emits (records,
// outcomes, referrals, supervision, claims, remittances; test/support/emitted.ts) — validates against every profile it
// names (US Core 6.1.0 and peer-fhir). CI runs a small agency in test/e2e/profile-conformance.test.ts.
// PEER_FHIR_YEAR_PARTICIPANTS sets the agency's size (default 200).
import { describe, expect, it } from 'vitest';
import { generateAgency } from '@peer-fhir/testing';
import { bundleProfileProblems, summarize } from '../support/profile-validator.js';
import { countByType, emittedBundles, EMITTED_TYPES } from '../support/emitted.js';
import { LONG } from './support/mode.js';

describe('profile conformance of a year', () => {
  it.runIf(LONG)('a generated year of a large agency: every resource of every kind conforms to each profile it names', () => {
    const participants = Number(process.env.PEER_FHIR_YEAR_PARTICIPANTS ?? 200);
    const a = generateAgency({ seed: 2026, months: 12, participants });
    const problems: Record<string, number> = {};
    const counts: Record<string, number> = {};
    const started = performance.now();
    for (const b of emittedBundles(a, { supervisionMonths: 12 })) {
      countByType([b], counts);
      for (const [k, n] of Object.entries(summarize(bundleProfileProblems(b)))) problems[k] = (problems[k] ?? 0) + n;
    }
    const total = Object.values(counts).reduce((s, n) => s + n, 0);
    console.log(`profiles-year: ${participants} participants, ${total} resources in ${Math.round((performance.now() - started) / 1000)} s`, counts);
    expect(Object.keys(counts).sort()).toEqual(EMITTED_TYPES);
    expect(problems).toEqual({});
  }, 3_600_000);
});
