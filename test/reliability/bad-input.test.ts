// R3 Bad input: every public parser, fed mutated input (fast-check), either succeeds or throws one of the SDK's typed
// errors, and no synthetic PHI value placed in the input ever appears in an error. Short mode ~500 cases per parser;
// `pnpm test:long` runs 100,000 each.
import fc from 'fast-check';
import type { Bundle } from 'fhir/r4.js';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ConsentDirective,
  FhirMappingError,
  fromFhir,
  Organization,
  parseRecord,
  Participant,
  PeerEncounter,
  PeerFhirValidationError,
  PeerSpecialist,
  RecoveryPlan,
  toFhir,
  type DomainRecords,
} from '@peer-fhir/core';
import { listPacks, loadPack, RulePackError } from '@peer-fhir/billing';
import { read835, X12InputError, X12ParseError } from '@peer-fhir/x12';
import { recordSet } from '../../packages/core/test/arbitraries.js';
import { billedAgency, remittanceFor } from './support/billing.js';
import { pick } from './support/mode.js';
import { errorText, jsonMutation, mutateJson, mutateX12, PHI_PREFIX, textMutation } from './support/mutate.js';

const RUNS = pick(500, 100_000);
const SEED = Number(process.env.PEER_FHIR_SEED ?? 20261122);
const TIMEOUT = pick(60_000, 3_600_000);
const mutations = fc.array(jsonMutation, { minLength: 1, maxLength: 4 });

/** The error is one of ours, and carries no PHI marker. Returns the error's class name for the tally. */
function expectTypedAndPhiFree(e: unknown, allowed: readonly (new (...a: never[]) => Error)[]): string {
  if (!allowed.some((C) => e instanceof C)) throw new Error(`untyped error escaped: ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`);
  const text = errorText(e);
  if (text.includes(PHI_PREFIX)) throw new Error(`PHI marker in error: ${text.slice(0, 500)}`);
  return (e as Error).name;
}

const schemas = [
  ['Organization', Organization],
  ['PeerSpecialist', PeerSpecialist],
  ['Participant', Participant],
  ['PeerEncounter', PeerEncounter],
  ['RecoveryPlan', RecoveryPlan],
  ['ConsentDirective', ConsentDirective],
] as const;

describe('core domain schemas (parseRecord) with mutated records', () => {
  it.each(schemas)('%s: never throws, reports issues with paths and no PHI', (name, schema) => {
    const key = { Organization: 'organizations', PeerSpecialist: 'specialists', Participant: 'participants', PeerEncounter: 'encounters', RecoveryPlan: 'plans', ConsentDirective: 'consents' }[name];
    let rejected = 0;
    fc.assert(
      fc.property(recordSet, mutations, (set, muts) => {
        const records = (set as unknown as Record<string, unknown[]>)[key]!;
        const input = mutateJson(records[0] ?? {}, muts);
        const r = parseRecord(schema, input, name);
        if (!r.ok) {
          rejected++;
          expect(r.issues.length).toBeGreaterThan(0);
          expectTypedAndPhiFree(r.error, [PeerFhirValidationError]);
          for (const i of r.issues) expect(`${i.path} ${i.message}`).not.toContain(PHI_PREFIX);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(rejected).toBeGreaterThan(0);
  }, TIMEOUT);
});

describe('core fromFhir with mutated FHIR bundles', () => {
  it('returns records or throws FhirMappingError, never anything else, never with PHI', () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(recordSet, mutations, (set, muts) => {
        const bundle = toFhir(set as unknown as DomainRecords);
        const input = mutateJson(bundle, muts) as Bundle;
        try {
          fromFhir(input);
          seen.set('ok', (seen.get('ok') ?? 0) + 1);
        } catch (e) {
          const n = expectTypedAndPhiFree(e, [FhirMappingError]);
          seen.set(n, (seen.get(n) ?? 0) + 1);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(seen.get('FhirMappingError') ?? 0).toBeGreaterThan(0);
  }, TIMEOUT);
});

describe('billing loadPack with mutated rule packs', () => {
  it('returns a pack or throws RulePackError, never with PHI', () => {
    const packs = listPacks().map((p) => JSON.parse(JSON.stringify(p)) as unknown);
    let rejected = 0;
    fc.assert(
      fc.property(fc.nat(), mutations, (i, muts) => {
        const input = mutateJson(packs[i % packs.length], muts);
        try {
          loadPack(input);
        } catch (e) {
          rejected++;
          expectTypedAndPhiFree(e, [RulePackError]);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(rejected).toBeGreaterThan(0);
  }, TIMEOUT);
});

describe('x12 read835 with mutated 835 text', () => {
  let text: string;
  beforeAll(() => {
    const { inputs } = billedAgency({ participants: 12 });
    text = remittanceFor(inputs.slice(0, 6));
  });

  it('reads the unmutated 835', () => {
    expect(read835(text).length).toBe(1);
  });

  it('returns remittances or throws X12ParseError / X12InputError, never with PHI', () => {
    let rejected = 0;
    fc.assert(
      fc.property(fc.array(textMutation, { minLength: 1, maxLength: 4 }), (muts) => {
        const input = mutateX12(text, muts);
        try {
          read835(input);
        } catch (e) {
          rejected++;
          expectTypedAndPhiFree(e, [X12ParseError, X12InputError]);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(rejected).toBeGreaterThan(0);
  }, TIMEOUT);
});
