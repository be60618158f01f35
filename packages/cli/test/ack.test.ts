/** `peer-fhir ack`: a 999 mapped to the claims of the 837 it answers, and a 277CA stored as ClaimResponses. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Claim } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerFhirClient } from '@peer-fhir/client';
import { identifierSystems } from '@peer-fhir/core';
import { startFhirServer, type EmbeddedFhirServer } from '@peer-fhir/testing';
import { input } from '../../x12/test/fixtures.js';
import { PARTIAL_277, PARTIAL_999, SENT } from '../../x12/test/fixtures-ack.js';
import { ExitCode, runAck } from '../src/index.js';
import type { CommandIo } from '../src/internal/io.js';

function io(): CommandIo & { out: () => string } {
  let text = '';
  const sink = new Writable({ write: (chunk: Buffer, _e, cb) => ((text += chunk.toString()), cb()) });
  return { stdout: sink, stderr: sink, json: false, env: {}, cwd: tmpdir(), out: () => text };
}

const AGENCY = '1234567893';
let server: EmbeddedFhirServer;
const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-ack-'));

beforeAll(async () => {
  server = await startFhirServer();
  const client = new PeerFhirClient({ baseUrl: server.url });
  const system = identifierSystems({ agency: AGENCY }).claim;
  const claims: Claim[] = ['PCN1', 'PCN2'].map((pcn) => {
    const { id: _id, ...c } = input({ pcn }).claim;
    return { ...c, identifier: [{ system, value: pcn }] };
  });
  await client.transaction({ resourceType: 'Bundle', type: 'transaction', entry: claims.map((resource) => ({ resource, request: { method: 'POST', url: 'Claim' } })) });
}, 180_000);

afterAll(async () => {
  await server?.close();
});

describe('peer-fhir ack', () => {
  it('names the claims of a 999-rejected transaction set from the 837 it answers, exit 1', async () => {
    writeFileSync(join(dir, 'sent.837'), SENT);
    writeFileSync(join(dir, 'partial.999'), PARTIAL_999);
    const cli = io();
    const r = await runAck(join(dir, 'partial.999'), { claims: join(dir, 'sent.837') }, cli);
    expect([r.kind, r.accepted, r.rejected, r.rejectedClaims, r.exitCode]).toEqual(['999', 2, 1, ['PCN3'], ExitCode.SOME_REJECTED]);
    expect(cli.out()).toContain('transaction set 0002: rejected — claims PCN3 — NM1 (segment 8, loop 2010) code 8; NM1 (segment 8, loop 2010) element 9 code 7');
  });

  it('stores a 277CA as ClaimResponses (queued / error) once, and says why a claim was rejected', async () => {
    writeFileSync(join(dir, 'partial.277'), PARTIAL_277);
    const cli = io();
    const r = await runAck(join(dir, 'partial.277'), { fhirUrl: server.url, organizationNpi: AGENCY }, cli);
    expect([r.kind, r.accepted, r.rejected, r.rejectedClaims, r.claimResponsesStored, r.exitCode]).toEqual(['277', 1, 1, ['pcn2'], 2, ExitCode.SOME_REJECTED]);
    expect(cli.out()).toContain('pcn2: Rejected: Rejected for invalid information (A7, status code 164, entity IL)');
    expect((await runAck(join(dir, 'partial.277'), { fhirUrl: server.url, organizationNpi: AGENCY }, io())).claimResponsesStored).toBe(0);
  });
});
