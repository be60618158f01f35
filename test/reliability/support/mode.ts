/** Short mode in CI; `pnpm test:long` sets PEER_FHIR_LONG=1 for the long mode. */
export const LONG = process.env.PEER_FHIR_LONG === '1';
export const pick = <T>(short: T, long: T): T => (LONG ? long : short);
