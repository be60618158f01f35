// No function in packages/*/src is longer than 80 lines (declarations, methods, constructors, accessors, and function or
// arrow expressions assigned to a name), unless test/e2e/function-size-allowlist.json names it with a reason. Long
// functions hold the hardest logic; split them into named steps (see billing/src/edits/* + edits/index.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const MAX_LINES = 80;

interface Allowed {
  /** Source path from the repository root, e.g. `packages/x12/src/837p/normalize.ts`. */
  path: string;
  /** The function's name as this test reports it: `name`, `Class.method` or `Class.constructor`. */
  name: string;
  reason: string;
}

interface LongFunction {
  path: string;
  name: string;
  lines: number;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|cts|tsx)$/.test(d.name) && !d.name.endsWith('.d.ts') ? [path] : [];
  });
}

const nameText = (name: ts.PropertyName | ts.BindingName | undefined): string | undefined =>
  name && (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isPrivateIdentifier(name)) ? name.text : undefined;

/** The name a reader would look for: `fn`, `Class.method`, `object.property`; undefined for an anonymous callback. */
function functionName(node: ts.Node): string | undefined {
  const owner = (n: ts.Node) => (ts.isClassLike(n.parent) ? `${n.parent.name?.text ?? '(class)'}.` : '');
  if (ts.isFunctionDeclaration(node)) return node.name?.text ?? 'default';
  if (ts.isConstructorDeclaration(node)) return `${owner(node)}constructor`;
  if (ts.isMethodDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node)) return `${owner(node)}${nameText(node.name) ?? '(computed)'}`;
  if (!(ts.isArrowFunction(node) || ts.isFunctionExpression(node))) return undefined;
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return nameText(parent.name);
  return undefined;
}

function longFunctions(path: string): LongFunction[] {
  const text = readFileSync(path, 'utf8');
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node) => {
    const name = functionName(node);
    if (name !== undefined) {
      const first = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
      const last = file.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines > MAX_LINES) found.push({ path: relative(root, path), name, lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

const allowlist = JSON.parse(readFileSync(join(root, 'test/e2e/function-size-allowlist.json'), 'utf8')) as Allowed[];
const packages = readdirSync(join(root, 'packages'));
const all = packages.flatMap((dir) => sourceFiles(join(root, 'packages', dir, 'src')).flatMap(longFunctions));
const isAllowed = (f: { path: string; name: string }) => allowlist.some((a) => a.path === f.path && a.name === f.name);

describe('function size', () => {
  it(`no function in packages/*/src is over ${MAX_LINES} lines unless the allowlist names it`, () => {
    expect(all.filter((f) => !isAllowed(f)).map((f) => `${f.path} ${f.name} (${f.lines} lines)`)).toEqual([]);
  });

  it('every allowlist entry gives a reason and still names a long function (split ones leave the list)', () => {
    expect(allowlist.filter((a) => a.reason.trim().length < 10).map((a) => a.name)).toEqual([]);
    expect(allowlist.filter((a) => !all.some((f) => f.path === a.path && f.name === a.name)).map((a) => `${a.path} ${a.name}`)).toEqual([]);
  });
});
