import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IMPORT_TEMPLATES } from './templates.js';

/**
 * What `init` did with each import template: written, or left as it was (a file by that name exists).
 *
 * @example
 * ```ts
 * const say = (t: TemplatesWritten) => `${t.written.length} templates written to ${t.dir}, ${t.kept.length} kept`;
 * ```
 * @category Commands
 */
export interface TemplatesWritten {
  dir: string;
  written: string[];
  kept: string[];
}

/** Whether a path exists (any kind of file). */
export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Write one CSV template per import kind (`<kind>-template.csv`) into `dir`. A file already there is kept: a template
 * someone filled in is never overwritten.
 */
export async function writeTemplates(dir: string): Promise<TemplatesWritten> {
  await mkdir(dir, { recursive: true });
  const out: TemplatesWritten = { dir, written: [], kept: [] };
  for (const [kind, text] of Object.entries(IMPORT_TEMPLATES)) {
    const name = `${kind}-template.csv`;
    if (await exists(join(dir, name))) out.kept.push(name);
    else {
      await writeFile(join(dir, name), text);
      out.written.push(name);
    }
  }
  return out;
}
