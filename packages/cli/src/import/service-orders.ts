import { identifierSystems, parseRecord } from '@peer-fhir/core';
import { ServiceOrder, serviceOrderToFhir } from '@peer-fhir/billing';
import type { NumberedRow } from './assemble.js';
import { cell, cells } from './cells.js';
import { writeBillingRecords } from './participant-resources.js';
import { defineKind, fromFirstRow, type Blame, type BuiltInput } from './record-kind.js';
import type { WriteOutcome, WriteTarget } from './write-records.js';

/** Columns of a service-orders file (one signed order per row), in template order. */
export const SERVICE_ORDER_COLUMNS = ['order_id', 'participant_id', 'signed_date', 'signer_npi', 'codes', 'expires'] as const;

const REQUIRED = ['order_id', 'participant_id', 'signed_date'] as const;

function build(rows: readonly NumberedRow[]): BuiltInput {
  return fromFirstRow(rows, (r) => {
    const signer = cell(r, 'signer_npi');
    const codes = cells(r, 'codes');
    const expires = cell(r, 'expires');
    return {
      id: cell(r, 'order_id'),
      participantId: cell(r, 'participant_id'),
      signedDate: cell(r, 'signed_date'),
      ...(signer ? { signerNpi: signer } : {}),
      ...(codes.length ? { codes } : {}),
      ...(expires ? { expires } : {}),
    };
  });
}

const FIELDS: Record<string, string> = { id: 'order_id', participantId: 'participant_id', signedDate: 'signed_date', signerNpi: 'signer_npi', codes: 'codes', expires: 'expires' };

function blame(path: string): Blame {
  return { column: FIELDS[/^(\w+)/.exec(path)?.[1] ?? ''] ?? path };
}

/**
 * Service orders (`order_id` header): the signed order a participant's services need (NC CCP 8G, `PB-SERVICE-ORDER`):
 * signature date, signer NPI, the HCPCS codes ordered (`;`-separated; empty = any peer service) and the last day it
 * covers; validated by billing's `ServiceOrder`, stored as a ServiceRequest (`serviceOrderToFhir`) that `bill` reads.
 */
export const serviceOrderKind = defineKind<ServiceOrder>('service-orders', SERVICE_ORDER_COLUMNS, REQUIRED, { build, parse: (input) => parseRecord(ServiceOrder, input, 'ServiceOrder'), blame });

/** Service orders, each a conditional create of its ServiceRequest under the agency's `service-order` system. */
export function writeServiceOrders(t: WriteTarget, records: readonly ServiceOrder[]): Promise<WriteOutcome[]> {
  return writeBillingRecords(t, records, identifierSystems(t.scope).serviceOrder, serviceOrderToFhir);
}
