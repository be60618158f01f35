// One error model (issue 16, acceptance 3): every Error subclass exported by any package extends core's
// PeerFhirError and has a stable code of its own. The test walks every package's exports, so a new error class that
// forgets the base, or reuses another class's code, fails here; a new class needs a sample below.
import { describe, expect, it } from 'vitest';
import * as core from '@peer-fhir/core';
import * as client from '@peer-fhir/client';
import * as billing from '@peer-fhir/billing';
import * as x12 from '@peer-fhir/x12';
import * as testing from '@peer-fhir/testing';
import * as server from '@peer-fhir/server';
import * as cli from '../../packages/cli/src/index.js';

const PACKAGES: Record<string, Record<string, unknown>> = { core, client, billing, x12, server, testing, cli };

type ErrorClass = abstract new (...args: never[]) => Error;
const isErrorClass = (v: unknown): v is ErrorClass => typeof v === 'function' && (v === Error || (v as { prototype?: unknown }).prototype instanceof Error);

const init = { method: 'GET', url: 'https://fhir.example.test/r4/Patient/1', template: 'Patient/{id}' };
const issue = [{ path: 'a', code: 'custom', message: 'required' }];

/** One instance of every exported error class, built with the arguments its constructor documents. */
const SAMPLES: Record<string, () => Error> = {
  PeerFhirError: () => new core.PeerFhirError('x'),
  PeerFhirValidationError: () => new core.PeerFhirValidationError('Thing', issue),
  FhirMappingError: () => new core.FhirMappingError('Thing', issue),
  ConsentRequiredError: () => new core.ConsentRequiredError({ reasons: [], missing: undefined, part2: false }),
  InstrumentAnswerError: () => new core.InstrumentAnswerError('phq-9', issue),
  UnknownInstrumentError: () => new core.UnknownInstrumentError('nope'),
  IdentityScopeError: () => new core.IdentityScopeError('missing'),
  ReferralTransitionError: () => new core.ReferralTransitionError('completed', 'accepted'),
  FhirError: () => new client.FhirError(init),
  FhirBadRequestError: () => new client.FhirBadRequestError(init),
  FhirUnauthorizedError: () => new client.FhirUnauthorizedError(init),
  FhirForbiddenError: () => new client.FhirForbiddenError(init),
  FhirNotFoundError: () => new client.FhirNotFoundError(init),
  FhirConflictError: () => new client.FhirConflictError(init),
  FhirGoneError: () => new client.FhirGoneError(init),
  FhirPreconditionFailedError: () => new client.FhirPreconditionFailedError(init),
  FhirUnprocessableEntityError: () => new client.FhirUnprocessableEntityError(init),
  FhirTooManyRequestsError: () => new client.FhirTooManyRequestsError(init),
  FhirServerError: () => new client.FhirServerError(init),
  FhirConnectionError: () => new client.FhirConnectionError(init),
  FhirTimeoutError: () => new client.FhirTimeoutError(init),
  FhirAbortError: () => new client.FhirAbortError(init),
  FhirOriginRefusedError: () => new client.FhirOriginRefusedError({ ...init, reason: 'cross-origin' }),
  FhirTokenRedirectError: () => new client.FhirTokenRedirectError(init),
  FhirTooManyRedirectsError: () => new client.FhirTooManyRedirectsError(init),
  FhirResponseTooLargeError: () => new client.FhirResponseTooLargeError({ ...init, limitBytes: 1 }),
  FhirPagingLoopError: () => new client.FhirPagingLoopError({ ...init, pages: 2 }),
  FhirPagingLimitError: () => new client.FhirPagingLimitError({ ...init, pages: 2 }),
  FhirBulkExportExpiredError: () => new client.FhirBulkExportExpiredError(init),
  FhirBulkExportFailedError: () => new client.FhirBulkExportFailedError({ ...init, reason: 'manifest-invalid' }),
  NdjsonLineError: () => new client.NdjsonLineError(3, 'Patient', 'not-json'),
  PeerRecordNotFoundError: () => new client.PeerRecordNotFoundError('Goal', 'https://ids.example.org/goal'),
  RulePackError: () => new billing.RulePackError(issue),
  X12InputError: () => new x12.X12InputError([{ path: 'claims[0]', message: 'required' }]),
  X12ParseError: () => new x12.X12ParseError('input is empty'),
  X12AmountError: () => new x12.X12AmountError('CLP04 is not a decimal amount', 5, 'CLP', 'CLP04'),
  X12UnbalancedError: () => new x12.X12UnbalancedError('claim', 5, 'CLP'),
  X12VersionError: () => new x12.X12VersionError('GS08 is not 005010X221A1', 2, 'GS'),
  X12InquiryInputError: () => new x12.X12InquiryInputError('270', []),
  X12ResponseParseError: () => new x12.X12ResponseParseError('transaction set is not 271', 3, 'ST'),
  ServerLockedError: () => new server.ServerLockedError({ pid: 1, host: 'localhost', since: '2026-01-01T00:00:00Z' }),
  FhirPackageError: () => new server.FhirPackageError('not a FHIR package', { file: 'package/package.json' }),
  ServerDataError: () => new server.ServerDataError('snapshot line 3 is not JSON'),
  ServerConfigError: () => new server.ServerConfigError('port must be a number'),
  ServerSchemaVersionError: () => new server.ServerSchemaVersionError(2, 1),
  InitOptionError: () => new cli.InitOptionError([{ option: '--npi', problem: 'is not a valid NPI' }]),
  InitFileExistsError: () => new cli.InitFileExistsError('peer-fhir.config.json'),
  CliUsageError: () => new cli.CliUsageError('--period must be YYYY-MM'),
  CliSystemError: () => new cli.CliSystemError('ENOENT: no such file or folder', { errno: 'ENOENT', hint: 'check the path', cause: undefined }),
};

const exported: { pkg: string; name: string; cls: ErrorClass }[] = Object.entries(PACKAGES).flatMap(([pkg, mod]) =>
  Object.entries(mod).flatMap(([name, v]) => (isErrorClass(v) ? [{ pkg, name, cls: v }] : [])),
);

describe('every exported error class of every package', () => {
  it('is found (the walk sees the classes of core, client, billing, x12, server and cli)', () => {
    expect(new Set(exported.map((e) => e.pkg))).toEqual(new Set(['core', 'client', 'billing', 'x12', 'server', 'cli']));
  });

  it.each(exported.map((e) => [`${e.pkg}.${e.name}`, e] as const))('%s extends PeerFhirError', (_label, { name, cls }) => {
    expect(cls === core.PeerFhirError || cls.prototype instanceof core.PeerFhirError).toBe(true);
    const sample = SAMPLES[name];
    expect(sample, `add a sample for ${name}`).toBeDefined();
    const err = sample!();
    expect(err).toBeInstanceOf(cls);
    expect(err.name).toBe(name);
  });

  it('has a stable dotted code of its own', () => {
    const codes = new Map<string, string>();
    for (const { name } of exported) {
      const err = SAMPLES[name]!() as core.PeerFhirError;
      expect(err.code, name).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
      expect(codes.get(err.code), `${name} reuses the code of ${codes.get(err.code)}`).toBeUndefined();
      codes.set(err.code, name);
    }
    expect(codes.size).toBe(exported.length);
  });
});
