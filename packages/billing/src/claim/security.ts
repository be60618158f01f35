/**
 * DS4P labels for claims that carry Part 2 lines.
 * TODO(core): use core's `part2SecurityLabels()` once it is exported from @peer-fhir/core.
 * @internal
 */
import { Systems } from '@peer-fhir/core';
import type { Coding } from 'fhir/r4.js';

// 42 CFR 2.32: records disclosed with consent carry the redisclosure prohibition; HL7 DS4P labels express it.
export function part2ClaimLabels(): Coding[] {
  return [
    { system: Systems.V3_CONFIDENTIALITY, code: 'R', display: 'restricted' },
    { system: Systems.V3_ACT_CODE, code: '42CFRPart2', display: '42 CFR Part2' },
    { system: Systems.V3_ACT_CODE, code: 'SUD', display: 'substance use disorder information sensitivity' },
    { system: Systems.V3_ACT_CODE, code: 'NORDSCLCD', display: 'no redisclosure without consent directive' },
  ];
}
