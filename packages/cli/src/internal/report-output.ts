import { basename, dirname, extname, join } from 'node:path';
import { markdownCell } from '@peer-fhir/core';
import { CliUsageError } from '../errors.js';
import { assertNotAnInput, writePrivateFile } from './io.js';
import type { ReportFiles } from '../types.js';

export type { ReportFiles };

/**
 * `out/march.md` -> `{ markdown: 'out/march.md', json: 'out/march.json' }`; neither may be one of `inputs` (the
 * files the command reads: --ce, --requirements, --config).
 */
export function reportFilesOf(out: string, inputs: readonly (string | undefined)[] = []): ReportFiles {
  const ext = extname(out);
  if (ext.toLowerCase() === '.json') throw new CliUsageError('--out names the Markdown file (FILE.md); the JSON is written next to it');
  const files = { markdown: out, json: join(dirname(out), `${basename(out, ext)}.json`) };
  assertNotAnInput([['--out', files.markdown], ['--out (JSON)', files.json]], inputs.filter((i): i is string => i !== undefined));
  return files;
}

/** Write both files with mode 0600 (reports name participants); OS errors (a missing folder) reach the CLI's error printer. */
export async function writeReportFiles(files: ReportFiles, markdown: string, json: unknown): Promise<void> {
  await writePrivateFile(files.markdown, markdown);
  await writePrivateFile(files.json, `${JSON.stringify(json, null, 2)}\n`);
}

/** One Markdown table cell from text that may come from a file or a server: core's `markdownCell`. */
export const mdCell = markdownCell;
