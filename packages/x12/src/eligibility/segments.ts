/**
 * Segment tables shared by the inquiry writers (270 and 276): envelope segments and the common header segments, with
 * each element's TR3 attributes. Loop-specific tables live next to their writer.
 */
import { rule, type SegmentRule } from '../internal/elements.js';

/** GS for a functional identifier code (`HS` 270, `HR` 276) and an implementation convention reference. */
export function gsRule(functionalId: string, version: string): SegmentRule {
  return {
    id: 'GS',
    elements: [
      rule('GS01', 'ID', 2, 2, 'R', [functionalId]),
      rule('GS02', 'AN', 2, 15),
      rule('GS03', 'AN', 2, 15),
      rule('GS04', 'DT', 8, 8),
      rule('GS05', 'TM', 4, 8),
      rule('GS06', 'N0', 1, 9),
      rule('GS07', 'ID', 1, 2, 'R', ['X']),
      rule('GS08', 'AN', 1, 12, 'R', [version]),
    ],
  };
}

/** ST for a transaction set id and its implementation convention reference (ST03). */
export function stRule(setId: string, version: string): SegmentRule {
  return {
    id: 'ST',
    elements: [rule('ST01', 'ID', 3, 3, 'R', [setId]), rule('ST02', 'AN', 4, 9), rule('ST03', 'AN', 1, 35, 'R', [version])],
  };
}

/** BHT with the hierarchical structure code (`0022` 270, `0010` 276); BHT02 `13` request. */
export function bhtRule(structure: string): SegmentRule {
  return {
    id: 'BHT',
    elements: [
      rule('BHT01', 'ID', 4, 4, 'R', [structure]),
      rule('BHT02', 'ID', 2, 2, 'R', ['13']),
      rule('BHT03', 'AN', 1, 50),
      rule('BHT04', 'DT', 8, 8),
      rule('BHT05', 'TM', 4, 8),
    ],
  };
}

/** HL: id, parent, level code, child code. */
export function hlRule(levels: readonly string[]): SegmentRule {
  return {
    id: 'HL',
    elements: [
      rule('HL01', 'AN', 1, 12),
      rule('HL02', 'AN', 1, 12, 'S'),
      rule('HL03', 'ID', 1, 2, 'R', levels),
      rule('HL04', 'ID', 1, 1, 'R', ['0', '1']),
    ],
  };
}

/** TRN*1 current transaction trace number with the originating company id. */
export const TRN_RULE: SegmentRule = {
  id: 'TRN',
  elements: [rule('TRN01', 'ID', 1, 2, 'R', ['1']), rule('TRN02', 'AN', 1, 50), rule('TRN03', 'AN', 10, 10), rule('TRN04', 'AN', 1, 50, 'S')],
};

/** DMG with a D8 birth date and gender. */
export const DMG_RULE: SegmentRule = {
  id: 'DMG',
  elements: [rule('DMG01', 'ID', 2, 3, 'R', ['D8']), rule('DMG02', 'DT', 8, 8), rule('DMG03', 'ID', 1, 1, 'S', ['F', 'M', 'U'])],
};

export const SE_RULE: SegmentRule = { id: 'SE', elements: [rule('SE01', 'N0', 1, 10), rule('SE02', 'AN', 4, 9)] };
export const GE_RULE: SegmentRule = { id: 'GE', elements: [rule('GE01', 'N0', 1, 6), rule('GE02', 'N0', 1, 9)] };
export const IEA_RULE: SegmentRule = { id: 'IEA', elements: [rule('IEA01', 'N0', 1, 5), rule('IEA02', 'N0', 9, 9)] };
