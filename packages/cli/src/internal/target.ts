import { isAbsolute, join } from 'node:path';
import { PeerFhirClient } from '@peer-fhir/client';
import { CliUsageError } from '../errors.js';
import { startPersistentServer, type PersistentServer } from './embedded.js';
import { displayUrl, note, type CommandIo } from './io.js';
import type { FhirTargetOptions } from '../types.js';

export type { FhirTargetOptions };

/** A FHIR server to talk to: a remote one, or the embedded one started for this command. */
export interface FhirTarget {
  client: PeerFhirClient;
  /** The base URL as printed: query values and credentials removed ({@link displayUrl}). */
  url: string;
  embedded: PersistentServer | undefined;
  /** Saves the embedded server's data and stops it; nothing for a remote server. */
  close(): Promise<void>;
}

export const DEFAULT_DATA_DIR = join('.peer-fhir', 'data');

export function dataDirOf(io: CommandIo, data: string | undefined): string {
  const d = data ?? DEFAULT_DATA_DIR;
  return isAbsolute(d) ? d : join(io.cwd, d);
}

/** A FHIR base URL from the command line, without trailing slashes; a usage error names the option, not the value. */
export function checkedBaseUrl(value: string, option: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliUsageError(`${option} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliUsageError(`${option} must be http or https`);
  return value.replace(/\/+$/, '');
}

export async function openTarget(opts: FhirTargetOptions, io: CommandIo): Promise<FhirTarget> {
  let auth: string | undefined = opts.authToken;
  if (opts.authEnv !== undefined) {
    auth = io.env[opts.authEnv];
    if (!auth) throw new CliUsageError(`environment variable ${opts.authEnv} (from --auth-env) is not set`);
  }
  if (opts.fhirUrl !== undefined) {
    const baseUrl = checkedBaseUrl(opts.fhirUrl, '--fhir-url');
    const client = new PeerFhirClient({ baseUrl, ...(auth ? { auth } : {}) });
    return { client, url: displayUrl(baseUrl), embedded: undefined, close: async () => undefined };
  }
  if (auth) throw new CliUsageError('--auth-token/--auth-env need --fhir-url (the embedded server has no auth)');
  const dataDir = dataDirOf(io, opts.data);
  const embedded = await startPersistentServer({ dataDir });
  if (!io.json) note(io, `embedded FHIR server at ${embedded.url} (data in ${dataDir}, ${embedded.loaded} resources loaded)`);
  const client = new PeerFhirClient({ baseUrl: embedded.url });
  return { client, url: embedded.url, embedded, close: () => embedded.close() };
}
