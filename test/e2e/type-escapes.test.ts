// Ratchet: non-null assertions (`x!`) and casts that switch the type checker off (`as never`, `as unknown as T`) in
// packages/*/src do only what `any` would. Their count may go down, never up: a type guard, a narrower type or a
// checked lookup does the job. When you remove some, lower the numbers below to the new count.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

/** The most each kind may number (198 `!`, 25 `as never` and 11 `as unknown as` when this ratchet was written). */
// asUnknownAs 11: the profile validator's one bridge from @types/fhir to @medplum/fhirtypes declarations of the same
// JSON (server/src/validation/medplum-profiles.ts) joined after the ratchet was written.
const MAX = { nonNull: 69, asNever: 22, asUnknownAs: 6 };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|cts|tsx)$/.test(d.name) && !d.name.endsWith('.d.ts') ? [path] : [];
  });
}

function count(): { nonNull: number; asNever: number; asUnknownAs: number } {
  const found = { nonNull: 0, asNever: 0, asUnknownAs: 0 };
  for (const pkg of readdirSync(join(root, 'packages'))) {
    for (const path of sourceFiles(join(root, 'packages', pkg, 'src'))) {
      const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node): void => {
        if (ts.isNonNullExpression(node)) found.nonNull++;
        if (ts.isAsExpression(node) && node.type.kind === ts.SyntaxKind.NeverKeyword) found.asNever++;
        if (ts.isAsExpression(node) && ts.isAsExpression(node.expression) && node.expression.type.kind === ts.SyntaxKind.UnknownKeyword) found.asUnknownAs++;
        ts.forEachChild(node, visit);
      };
      visit(file);
    }
  }
  return found;
}

describe('type escapes in packages/*/src', () => {
  it('non-null assertions, `as never` and `as unknown as` do not grow', () => {
    const found = count();
    console.info(`type escapes: ${found.nonNull} non-null, ${found.asNever} as never, ${found.asUnknownAs} as unknown as`);
    expect(found.nonNull).toBeLessThanOrEqual(MAX.nonNull);
    expect(found.asNever).toBeLessThanOrEqual(MAX.asNever);
    expect(found.asUnknownAs).toBeLessThanOrEqual(MAX.asUnknownAs);
  });
});
