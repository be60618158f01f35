import { createWriteStream, fchmodSync, statSync, type WriteStream } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { CliUsageError } from '../errors.js';
import type { CommandIo } from '../types.js';

export type { CommandIo };

export function defaultIo(json = false): CommandIo {
  return { stdout: process.stdout, stderr: process.stderr, json, env: process.env, cwd: process.cwd() };
}

// C0 controls but tab and newline, DEL, C1 controls (U+0080-U+009F: 8-bit CSI and OSC), and the Unicode bidi
// overrides/isolates and line/paragraph separators: what lets a file or a server rewrite a terminal (ESC]0;title,
// cursor moves, colours) or make text display in an order other than it is stored.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from outside (a file, a server, an error) made safe for a terminal: control characters become `?`. Keeps tab
 * and newline; `oneLine` also turns those into spaces (for text inside a line).
 */
export function safeText(text: string, oneLine = false): string {
  const cleaned = text.replace(CONTROL, '?');
  return oneLine ? cleaned.replace(/[\t\n]/g, ' ') : cleaned;
}

/** A line of text on stdout (skipped in --json mode, where stdout holds only the JSON document); control characters removed. */
export function say(io: CommandIo, line = ''): void {
  if (!io.json) io.stdout.write(`${safeText(line)}\n`);
}

/** A diagnostic line on stderr; control characters removed. */
export function note(io: CommandIo, line: string): void {
  io.stderr.write(`${safeText(line)}\n`);
}

export function printJson(io: CommandIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Progress of a long step: a bar on a TTY, otherwise a plain line every `intervalMs` and one at the end. */
export interface Progress {
  update(done: number, detail: Record<string, number>): void;
  stop(): void;
}

export function startProgress(io: CommandIo, label: string, total: number, intervalMs = 1000): Progress {
  const fmt = (d: Record<string, number>) =>
    Object.entries(d)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  if (io.stderr.isTTY && !io.json) {
    const bar = new cliProgress.SingleBar(
      { stream: io.stderr, format: `${label} [{bar}] {percentage}% | {value}/{total} rows | {detail}`, hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    bar.start(Math.max(total, 1), 0, { detail: '' });
    return {
      update: (done, detail) => bar.update(Math.min(done, Math.max(total, 1)), { detail: fmt(detail) }),
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  let latest: { done: number; detail: Record<string, number> } = { done: 0, detail: {} };
  let printed = '';
  // A line is printed once: the last update and stop() would otherwise print the same state twice.
  const line = () => {
    const text = `${label}: ${latest.done}/${total} rows read${Object.keys(latest.detail).length ? ` (${fmt(latest.detail)})` : ''}`;
    if (text !== printed) note(io, text);
    printed = text;
  };
  return {
    update: (done, detail) => {
      latest = { done, detail };
      const now = Date.now();
      if (now - last >= intervalMs) {
        last = now;
        line();
      }
    },
    stop: () => line(),
  };
}

/** Files holding PHI (rejects, reports, 837P, claims) are readable and writable by their owner only. */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * A write stream to a new or truncated file with mode 0600. `mode` only applies when the file is created, so an
 * existing file is also set to 0600 once opened.
 */
export function createPrivateWriteStream(path: string): WriteStream {
  const out = createWriteStream(path, { mode: PRIVATE_FILE_MODE });
  out.once('open', (fd: number) => {
    try {
      fchmodSync(fd, PRIVATE_FILE_MODE);
    } catch {
      // a file system without permissions (FAT, some network shares): nothing to tighten
    }
  });
  return out;
}

/** Write a whole file with mode 0600 (also when it already existed). */
export async function writePrivateFile(path: string, data: string | Uint8Array): Promise<void> {
  await writeFile(path, data, { mode: PRIVATE_FILE_MODE });
  await chmod(path, PRIVATE_FILE_MODE).catch(() => undefined);
}

function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    // Links and different spellings of one path: same device and inode.
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

/**
 * Refuse to write any output over an input: `--rejects export.csv` would truncate the export being read. Compares
 * resolved paths, and device + inode for files that exist (symbolic and hard links).
 *
 * @param outputs - `[option, path]` pairs, e.g. `['--rejects', 'export.rejects.csv']`
 */
export function assertNotAnInput(outputs: readonly (readonly [string, string])[], inputs: readonly string[]): void {
  for (const [option, out] of outputs) {
    for (const input of inputs) {
      if (sameFile(out, input)) throw new CliUsageError(`${option} ${out} is also an input file; choose another output path`);
    }
  }
}

/**
 * A URL as the CLI prints it: origin and path, query keys without their values, no user:password. `--fhir-url
 * 'https://fhir.example.org/r4?access_token=…'` must not print the token.
 */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    const keys = [...new Set(u.searchParams.keys())].map((k) => `${encodeURIComponent(k)}=…`);
    return `${u.origin}${u.pathname.replace(/\/+$/, '')}${keys.length ? `?${keys.join('&')}` : ''}`;
  } catch {
    return '(not a URL)';
  }
}
