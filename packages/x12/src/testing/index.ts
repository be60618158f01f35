/**
 * `@peer-fhir/x12/testing`: builders for tests and demos, not for production — a stand-in payer's 835.
 * Kept out of the main entry so that the public surface of `@peer-fhir/x12` is what a billing program needs.
 * @packageDocumentation
 */
export { build835ForTest, type Build835Options, type LineDecision } from '../835/build-for-test.js';
