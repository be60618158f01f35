import { PeerFhirError } from '@peer-fhir/core';

/**
 * A record the operation needs is not on the server. Names the resource type and identifier system, never the value.
 * Code `client.peer.record-not-found`.
 *
 * See https://hl7.org/fhir/R4/search.html#token.
 * @example
 * ```ts
 * try { await peer.addGoalProgress('g-9', note); } catch (e) { if (e instanceof PeerRecordNotFoundError) console.log(e.resourceType); }
 * ```
 * @category Peer operations
 */
export class PeerRecordNotFoundError extends PeerFhirError {
  /** FHIR type that was searched. */
  readonly resourceType: string;
  /** Identifier system that was searched. */
  readonly system: string;

  constructor(resourceType: string, system: string, what = 'record') {
    super(`${what} not found: no ${resourceType} with an identifier in ${system}`, {
      code: 'client.peer.record-not-found',
      details: { resourceType, system },
    });
    this.resourceType = resourceType;
    this.system = system;
  }
}
