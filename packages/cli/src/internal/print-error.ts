import { PeerFhirError } from '@peer-fhir/core';
import { CliSystemError, CliUsageError } from '../errors.js';
import { safeText } from './io.js';

/** An error of Node's `fs`/`net` layer (`ENOENT`, `EADDRINUSE`, ...). */
interface ErrnoLike {
  code: string;
  syscall?: string;
  path?: string;
  dest?: string;
  port?: number;
  address?: string;
}

function isErrno(e: unknown): e is Error & ErrnoLike {
  const code = e instanceof Error ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code);
}

/** PeerFhirError, or a copy of it from a second install of core (same shape: a dotted lower-case code and details). */
function isPeerFhirError(e: unknown): e is PeerFhirError {
  if (e instanceof PeerFhirError) return true;
  if (!(e instanceof Error)) return false;
  const { code, details } = e as { code?: unknown; details?: unknown };
  return typeof code === 'string' && /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(code) && typeof details === 'object' && details !== null;
}

const OS_TEXT: Record<string, (e: ErrnoLike) => { text: string; hint: string }> = {
  ENOENT: (e) => ({
    text: `no such file or folder '${e.path ?? '?'}'`,
    hint: e.syscall === 'open' || e.syscall === 'mkdir' ? 'check the path; to write a file, create its folder first' : 'check the path',
  }),
  ENOTDIR: (e) => ({ text: `a part of '${e.path ?? '?'}' is not a folder`, hint: 'check the path' }),
  EISDIR: (e) => ({ text: `'${e.path ?? '?'}' is a folder, a file was expected`, hint: 'name a file, not a folder' }),
  EACCES: (e) => ({ text: `permission denied for '${e.path ?? e.address ?? '?'}'`, hint: 'check the permissions, or choose another path' }),
  EPERM: (e) => ({ text: `operation not permitted on '${e.path ?? '?'}'`, hint: 'check the permissions, or choose another path' }),
  EEXIST: (e) => ({ text: `'${e.path ?? '?'}' already exists`, hint: 'remove it or choose another path' }),
  ENOSPC: () => ({ text: 'no space left on the device', hint: 'free some space and run again' }),
  EADDRINUSE: (e) => ({ text: `port ${e.port ?? '?'} is already in use`, hint: 'stop the other program or pass --port with a free port' }),
  EADDRNOTAVAIL: (e) => ({ text: `address ${e.address ?? '?'} is not available on this machine`, hint: 'pass --host with a local address' }),
};

/**
 * An OS error as a {@link CliSystemError}: the OS code, what failed and on which path/port (which the user gave on the
 * command line or in the config), and a hint.
 */
export function fromOsError(e: Error & ErrnoLike): CliSystemError {
  const describe = OS_TEXT[e.code];
  const { text, hint } = describe ? describe(e) : { text: `${e.syscall ?? 'system call'} failed`, hint: 'run with PEER_FHIR_DEBUG=1 for details' };
  return new CliSystemError(`${e.code}: ${text}`, { errno: e.code, syscall: e.syscall, hint, cause: e });
}

/** One line of advice per error family, by code prefix (longest prefix wins). */
const HINTS: readonly [string, string][] = [
  ['cli.usage', 'run the command with --help for its options'],
  ['client.origin-refused', 'the server pointed outside its base URL; list trusted origins in allowedOrigins if that is intended'],
  ['client.token-redirect', 'the token endpoint redirects; configure its final URL'],
  ['client.response-too-large', 'the server sent more than maxResponseBytes; request smaller pages (_count)'],
  ['client.paging', 'the server\'s paging does not end; check its next links'],
  ['client.http.unauthorized', 'check the token (--auth-env) and its scopes'],
  ['client.http.forbidden', 'check the token (--auth-env) and its scopes'],
  ['client.connection', 'check --fhir-url and that the server is running'],
  ['client.timeout', 'the server did not answer in time; try again or check its load'],
  ['client.http', 'the FHIR server refused the request; its OperationOutcome is on the error (PEER_FHIR_DEBUG=1 shows the stack)'],
  ['x12.parse', 'the X12 file is damaged or not the expected transaction; the segment number says where'],
  ['x12', 'fix the input named by the path and run again'],
  ['core.consent-required', 'record the participant\'s consent for this recipient and purpose first'],
  ['core', 'fix the input named by the path and run again'],
  ['billing', 'check the rule pack and the records named by the path'],
];

function hintFor(code: string): string | undefined {
  let best: [string, string] | undefined;
  for (const h of HINTS) if (code.startsWith(h[0]) && (!best || h[0].length > best[0].length)) best = h;
  return best?.[1];
}

/**
 * The lines `peer-fhir` prints on stderr for an error that ended a command. Every peer-fhir error prints its code,
 * message (value-free by contract) and a hint; an OS error prints its code, operation and path or port; anything else
 * prints its class only (its message may hold anything). Control characters are removed from every line. With
 * `debug`, the stack frames follow (frames only: the first stack line repeats the message) and the cause chain's
 * classes and codes.
 */
export function errorLines(thrown: unknown, debug: boolean): string[] {
  const e = isErrno(thrown) ? fromOsError(thrown) : thrown;
  const lines: string[] = [];
  if (isPeerFhirError(e)) {
    lines.push(`error [${e.code}]: ${safeText(e.message, true)}`);
    if (e instanceof CliUsageError) {
      for (const p of e.problems.slice(0, 20)) lines.push(`  ${safeText(p, true)}`);
      if (e.problems.length > 20) lines.push(`  … and ${e.problems.length - 20} more`);
    }
    const hint = e instanceof CliSystemError ? e.hint : hintFor(e.code);
    if (hint) lines.push(`hint: ${hint}`);
  } else {
    lines.push(`error: ${e instanceof Error ? safeText(e.constructor.name, true) : 'unknown error'} (an unexpected error; its message is not shown, as it may hold data values)`);
    lines.push('hint: run again with PEER_FHIR_DEBUG=1 for the stack, and report it');
  }
  if (debug && e instanceof Error) {
    const frames = (e.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l));
    lines.push(...frames.map((l) => safeText(l, true)));
    for (let cause = (e as { cause?: unknown }).cause, depth = 0; cause !== undefined && depth < 5; cause = (cause as { cause?: unknown }).cause, depth++) {
      const code = typeof (cause as { code?: unknown })?.code === 'string' ? ` [${String((cause as { code: string }).code)}]` : '';
      lines.push(`caused by: ${cause instanceof Error ? safeText(cause.constructor.name, true) : typeof cause}${safeText(code, true)}`);
      if (cause instanceof Error) lines.push(...(cause.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)).map((l) => safeText(l, true)));
    }
  }
  return lines;
}
