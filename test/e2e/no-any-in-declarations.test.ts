// The published type declarations of every package contain no `any` (outside comments): a user's code that calls
// peer-fhir keeps its type checking. Reads each package's built dist/ (the check script builds before testing).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

function declarationFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return declarationFiles(path);
    return /\.d\.c?ts$/.test(d.name) ? [path] : [];
  });
}

const withoutComments = (code: string) => code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');

describe('published declarations', () => {
  for (const dir of readdirSync(join(root, 'packages'))) {
    it(`@peer-fhir/${dir}: no \`any\` in any .d.ts of dist/`, () => {
      const files = declarationFiles(join(root, 'packages', dir, 'dist'));
      expect(files.length, `packages/${dir}/dist has no declarations: run pnpm run build first`).toBeGreaterThan(0);
      const found = files.flatMap((file) => (withoutComments(readFileSync(file, 'utf8')).match(/\bany\b/g) ?? []).map(() => relative(root, file)));
      expect(found).toEqual([]);
    });
  }
});
