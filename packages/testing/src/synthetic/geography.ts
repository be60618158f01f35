/**
 * Per-state facts the generator needs: time zone, ZIP prefixes, peer credential titles.
 * ZIP prefix ranges are approximate (first three digits) — enough for addresses that look local.
 * @module
 */
import type { UsZone } from './clock.js';

const EASTERN: UsZone = { standardOffsetHours: -5, observesDst: true };
const CENTRAL: UsZone = { standardOffsetHours: -6, observesDst: true };
const MOUNTAIN: UsZone = { standardOffsetHours: -7, observesDst: true };
const ARIZONA: UsZone = { standardOffsetHours: -7, observesDst: false };
const PACIFIC: UsZone = { standardOffsetHours: -8, observesDst: true };
const ALASKA: UsZone = { standardOffsetHours: -9, observesDst: true };
const HAWAII: UsZone = { standardOffsetHours: -10, observesDst: false };

/** Time zone of the state's most populous area, and its ZIP prefix range. */
const STATES: Record<string, { zone: UsZone; zip: [number, number] }> = {
  AL: { zone: CENTRAL, zip: [350, 369] }, AK: { zone: ALASKA, zip: [995, 999] }, AZ: { zone: ARIZONA, zip: [850, 865] },
  AR: { zone: CENTRAL, zip: [716, 729] }, CA: { zone: PACIFIC, zip: [900, 961] }, CO: { zone: MOUNTAIN, zip: [800, 816] },
  CT: { zone: EASTERN, zip: [60, 69] }, DE: { zone: EASTERN, zip: [197, 199] }, DC: { zone: EASTERN, zip: [200, 205] },
  FL: { zone: EASTERN, zip: [320, 349] }, GA: { zone: EASTERN, zip: [300, 319] }, HI: { zone: HAWAII, zip: [967, 968] },
  ID: { zone: MOUNTAIN, zip: [832, 838] }, IL: { zone: CENTRAL, zip: [600, 629] }, IN: { zone: EASTERN, zip: [460, 479] },
  IA: { zone: CENTRAL, zip: [500, 528] }, KS: { zone: CENTRAL, zip: [660, 679] }, KY: { zone: EASTERN, zip: [400, 427] },
  LA: { zone: CENTRAL, zip: [700, 714] }, ME: { zone: EASTERN, zip: [39, 49] }, MD: { zone: EASTERN, zip: [206, 219] },
  MA: { zone: EASTERN, zip: [10, 27] }, MI: { zone: EASTERN, zip: [480, 499] }, MN: { zone: CENTRAL, zip: [550, 567] },
  MS: { zone: CENTRAL, zip: [386, 397] }, MO: { zone: CENTRAL, zip: [630, 658] }, MT: { zone: MOUNTAIN, zip: [590, 599] },
  NE: { zone: CENTRAL, zip: [680, 693] }, NV: { zone: PACIFIC, zip: [889, 898] }, NH: { zone: EASTERN, zip: [30, 38] },
  NJ: { zone: EASTERN, zip: [70, 89] }, NM: { zone: MOUNTAIN, zip: [870, 884] }, NY: { zone: EASTERN, zip: [100, 149] },
  NC: { zone: EASTERN, zip: [270, 289] }, ND: { zone: CENTRAL, zip: [580, 588] }, OH: { zone: EASTERN, zip: [430, 459] },
  OK: { zone: CENTRAL, zip: [730, 749] }, OR: { zone: PACIFIC, zip: [970, 979] }, PA: { zone: EASTERN, zip: [150, 196] },
  RI: { zone: EASTERN, zip: [28, 29] }, SC: { zone: EASTERN, zip: [290, 299] }, SD: { zone: CENTRAL, zip: [570, 577] },
  TN: { zone: CENTRAL, zip: [370, 385] }, TX: { zone: CENTRAL, zip: [750, 799] }, UT: { zone: MOUNTAIN, zip: [840, 847] },
  VT: { zone: EASTERN, zip: [50, 59] }, VA: { zone: EASTERN, zip: [220, 246] }, WA: { zone: PACIFIC, zip: [980, 994] },
  WV: { zone: EASTERN, zip: [247, 268] }, WI: { zone: CENTRAL, zip: [530, 549] }, WY: { zone: MOUNTAIN, zip: [820, 831] },
};

/** What a state contributes to an agency. */
export interface StateProfile {
  code: string;
  zone: UsZone;
  zipPrefix: [number, number];
  /** Credential titles for MH and SUD peers and the issuer's name. */
  credentials: { mh: string; sud: string; issuer: string };
}

const CREDENTIALS: Record<string, StateProfile['credentials']> = {
  NC: { mh: 'CPSS', sud: 'CPSS', issuer: 'NC Certified Peer Support Specialist Program' },
  GA: { mh: 'CPS', sud: 'CPS', issuer: 'Georgia Certified Peer Specialist Project' },
  PA: { mh: 'CPS', sud: 'CRS', issuer: 'Pennsylvania Certification Board' },
  TX: { mh: 'MHPS', sud: 'PRSS', issuer: 'Texas Certification Board' },
  IL: { mh: 'CPRS', sud: 'CRSS', issuer: 'Illinois Certification Board' },
  WA: { mh: 'CPC', sud: 'CPC', issuer: 'Washington Health Care Authority' },
  CA: { mh: 'CPSS', sud: 'CPSS', issuer: 'CalMHSA Medi-Cal Peer Support Specialist Certification' },
};

/** Cities whose names recur across many states; enough to look local without pointing at a real address. */
export const CITIES = [
  'Fairview', 'Riverside', 'Franklin', 'Greenville', 'Springfield', 'Clinton', 'Madison', 'Georgetown', 'Salem',
  'Marion', 'Oakdale', 'Lakeview', 'Centerville', 'Milford', 'Ashland', 'Dayton',
] as const;

/**
 * The profile of a two-letter US state code.
 *
 * @example
 * ```ts
 * stateProfile('TX').credentials.sud; // 'PRSS'
 * ```
 * @category Synthetic data
 */
export function stateProfile(code: string): StateProfile {
  const s = STATES[code];
  if (!s) throw new RangeError(`unknown US state code: ${code}`);
  return {
    code,
    zone: s.zone,
    zipPrefix: s.zip,
    credentials: CREDENTIALS[code] ?? { mh: 'CPS', sud: 'CPRS', issuer: `${code} Peer Specialist Certification Board` },
  };
}
