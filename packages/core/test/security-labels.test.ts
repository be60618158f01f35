import { describe, expect, it } from 'vitest';
import type { Coding, Encounter } from 'fhir/r4.js';
import { validationProblems } from '../../../test/support/validators.js';
import {
  isPart2Protected,
  normalizeSecurityLabels,
  Part2Labels,
  part2SecurityLabels,
  sensitivitiesOf,
  withPart2Labels,
} from '../src/security/part2-labels.js';
import { Systems } from '../src/terminology/systems.js';

const ACT = Systems.V3_ACT_CODE;
const CONF = Systems.V3_CONFIDENTIALITY;

const encounter = (security?: Coding[]): Encounter => ({
  resourceType: 'Encounter',
  id: 'enc-1',
  ...(security === undefined ? {} : { meta: { security } }),
  status: 'finished',
  class: { system: ACT, code: 'AMB', display: 'ambulatory' },
});

const codes = (labels: readonly Coding[] | undefined) => (labels ?? []).map((c) => `${c.system}|${c.code}`).sort();

describe('part2SecurityLabels', () => {
  it('returns R, SUD, 42CFRPart2 and NORDSCLCD with their exact systems', () => {
    expect(codes(part2SecurityLabels())).toEqual(
      [`${CONF}|R`, `${ACT}|SUD`, `${ACT}|42CFRPart2`, `${ACT}|NORDSCLCD`].sort(),
    );
  });

  it('returns fresh objects so callers cannot alter the constants', () => {
    const labels = part2SecurityLabels();
    labels[0]!.code = 'X';
    expect(part2SecurityLabels()[0]!.code).toBe('R');
    expect(Part2Labels.Restricted.code).toBe('R');
  });
});

describe('withPart2Labels', () => {
  it('adds the four labels to a resource without labels and the result passes both validators', () => {
    const labelled = withPart2Labels(encounter());
    expect(codes(labelled.meta?.security)).toEqual(codes(part2SecurityLabels()));
    expect(validationProblems(labelled)).toEqual([]);
  });

  it('does not modify its input', () => {
    const input = encounter([{ system: ACT, code: 'ETH' }]);
    const snapshot = structuredClone(input);
    withPart2Labels(input);
    expect(input).toEqual(snapshot);
  });

  it('adds only the missing labels and never duplicates one', () => {
    const once = withPart2Labels(encounter([{ system: CONF, code: 'R' }, { system: ACT, code: 'ETH' }]));
    const twice = withPart2Labels(once);
    expect(twice.meta?.security).toHaveLength(5);
    expect(codes(twice.meta?.security)).toEqual(codes(once.meta?.security));
    expect(codes(once.meta?.security)).toContain(`${ACT}|ETH`);
  });

  it('replaces the legacy NORDSLCD with NORDSCLCD rather than carrying both', () => {
    const labelled = withPart2Labels(encounter([{ system: ACT, code: 'NORDSLCD' }]));
    expect(codes(labelled.meta?.security)).toEqual(codes(part2SecurityLabels()));
  });

  it('keeps other meta elements', () => {
    const input: Encounter = { ...encounter(), meta: { profile: [Systems.NUCC], versionId: '3' } };
    const labelled = withPart2Labels(input);
    expect(labelled.meta?.profile).toEqual([Systems.NUCC]);
    expect(labelled.meta?.versionId).toBe('3');
  });
});

describe('normalizeSecurityLabels', () => {
  it('maps NORDSLCD to NORDSCLCD with the THO display', () => {
    expect(normalizeSecurityLabels([{ system: ACT, code: 'NORDSLCD' }])).toEqual([
      { system: ACT, code: 'NORDSCLCD', display: 'no redisclosure without consent directive' },
    ]);
  });

  it('maps the old hl7.org/fhir/v3 URIs and OIDs to the terminology.hl7.org systems', () => {
    const out = normalizeSecurityLabels([
      { system: 'http://hl7.org/fhir/v3/ActCode', code: '42CFRPart2' },
      { system: 'urn:oid:2.16.840.1.113883.5.25', code: 'R' },
      { system: 'urn:oid:2.16.840.1.113883.5.4', code: 'NORDSLCD' },
    ]);
    expect(codes(out)).toEqual([`${ACT}|42CFRPart2`, `${CONF}|R`, `${ACT}|NORDSCLCD`].sort());
  });

  it('keeps ETH as ETH and drops duplicates', () => {
    const out = normalizeSecurityLabels([
      { system: ACT, code: 'ETH' },
      { system: ACT, code: 'ETH', display: 'again' },
      { system: ACT, code: 'NORDSCLCD' },
      { system: ACT, code: 'NORDSLCD' },
    ]);
    expect(codes(out)).toEqual([`${ACT}|ETH`, `${ACT}|NORDSCLCD`].sort());
  });

  it('leaves codes of other systems alone', () => {
    const other = { system: 'http://example.org/labels', code: 'NORDSLCD' };
    expect(normalizeSecurityLabels([other])).toEqual([other]);
  });
});

describe('isPart2Protected', () => {
  it('is true for the 42CFRPart2 label alone', () => {
    expect(isPart2Protected([{ system: ACT, code: '42CFRPart2' }])).toBe(true);
  });

  it.each(['SUD', 'ETH', 'ETHUD', 'OPIOIDUD'])('is true for the %s sensitivity alone', (code) => {
    expect(isPart2Protected(encounter([{ system: ACT, code }]))).toBe(true);
  });

  it('is false for no labels, for R alone and for mental-health sensitivities', () => {
    expect(isPart2Protected(encounter())).toBe(false);
    expect(isPart2Protected([{ system: CONF, code: 'R' }])).toBe(false);
    expect(isPart2Protected([{ system: ACT, code: 'MH' }, { system: ACT, code: 'PSY' }, { system: ACT, code: 'BH' }])).toBe(false);
  });

  it('fails closed: a Part 2 code without a system still counts', () => {
    expect(isPart2Protected([{ code: 'SUD' }])).toBe(true);
  });

  it('does not count a Part 2 code from an unrelated system', () => {
    expect(isPart2Protected([{ system: 'http://example.org/labels', code: '42CFRPart2' }])).toBe(false);
  });

  it('accepts the bare shape { resourceType, meta.security }', () => {
    expect(isPart2Protected({ resourceType: 'Claim', meta: { security: [{ system: ACT, code: 'ETH' }] } })).toBe(true);
  });
});

describe('sensitivitiesOf', () => {
  it('reads ETH as SUD too', () => {
    expect(sensitivitiesOf([{ system: ACT, code: 'ETH' }]).sort()).toEqual(['ETH', 'SUD']);
  });

  it('reads OPIOIDUD as SUD too and keeps mental-health codes', () => {
    expect(sensitivitiesOf([{ system: ACT, code: 'OPIOIDUD' }, { system: ACT, code: 'MH' }]).sort()).toEqual(['ETH', 'MH', 'OPIOIDUD', 'SUD']);
  });

  it('treats a 42CFRPart2 label without a sensitivity as SUD information', () => {
    expect(sensitivitiesOf([{ system: ACT, code: '42CFRPart2' }]).sort()).toEqual(['ETH', 'SUD']);
  });

  it('is empty for a resource without labels', () => {
    expect(sensitivitiesOf(encounter())).toEqual([]);
  });
});
