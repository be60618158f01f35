import { note, type CommandIo } from './io.js';

/**
 * A command that read nothing from the server has nothing true to report: it says what it looked for and where,
 * on stderr, and the caller exits 1 (issue 12: never "No findings." after reading 0 records).
 * Returns true when every count is 0.
 */
export function warnIfReadNothing(io: CommandIo, read: Readonly<Record<string, number>>, scope: { agency: string; namespace?: string | undefined }, url: string): boolean {
  if (Object.values(read).some((n) => n > 0)) return false;
  const what = Object.keys(read).join(', ');
  const ns = scope.namespace === undefined ? '' : ` in namespace ${scope.namespace}`;
  note(io, `read 0 records (${what}) of agency ${scope.agency}${ns} from ${url}: nothing to report (wrong period, --config, namespace or server?)`);
  return true;
}
