import { writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { CliUsageError } from '../errors.js';

/** The files a report command writes for `--out FILE.md`: the Markdown and a `.json` next to it. @category Reports */
export interface ReportFiles {
  markdown: string;
  json: string;
}

/** `out/march.md` -> `{ markdown: 'out/march.md', json: 'out/march.json' }`. */
export function reportFilesOf(out: string): ReportFiles {
  const ext = extname(out);
  if (ext.toLowerCase() === '.json') throw new CliUsageError('--out names the Markdown file (FILE.md); the JSON is written next to it');
  return { markdown: out, json: join(dirname(out), `${basename(out, ext)}.json`) };
}

/** Write both files; a folder that does not exist is a usage error naming the file. */
export async function writeReportFiles(files: ReportFiles, markdown: string, json: unknown): Promise<void> {
  try {
    await writeFile(files.markdown, markdown);
    await writeFile(files.json, `${JSON.stringify(json, null, 2)}\n`);
  } catch {
    throw new CliUsageError(`cannot write ${files.markdown} / ${files.json}`);
  }
}
