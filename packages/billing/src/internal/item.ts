/** The unit of evaluation (one encounter x attendee) and the shared, precomputed state edits read. @internal */
import type { Attendee, MedicaidCoverage, Participant, PeerEncounter, PeerSpecialist } from '@peer-fhir/core';
import type { BillingContext } from '../context.js';
import type { Finding } from '../decision.js';
import { EDIT_CODES, type EditCode } from '../edits/codes.js';
import type { RulePack, ServiceRule } from '../pack/schema.js';

export interface BillingItem {
  /** `${encounterId}/${participantId}`, unique and stable. */
  key: string;
  encounter: PeerEncounter;
  attendee: Attendee;
  participant: Participant | undefined;
  specialist: PeerSpecialist | undefined;
  dos: string;
  minutes: number;
  coverage: MedicaidCoverage | undefined;
  service: ServiceRule | undefined;
}

export interface EvalState {
  ctx: BillingContext;
  pack: RulePack;
  /** Earliest date of service per participant (context encounters and billed history). */
  firstService: Map<string, string>;
  /** Item keys that overlap another service of the same participant. */
  overlaps: Set<string>;
}

/** A finding with the edit's default severity. */
export function finding(code: EditCode, reason: string, units?: number): Finding {
  return { code, severity: EDIT_CODES[code].severity, reason, ...(units !== undefined ? { units } : {}) };
}

/** A pre-bill edit over one item: returns its findings, empty when it passes. */
export interface ItemEdit {
  code: EditCode;
  check(item: BillingItem, state: EvalState): Finding[];
}
