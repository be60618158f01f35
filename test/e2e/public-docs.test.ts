// Every public symbol (exported from a package's src/index.ts) has a TSDoc summary; every public function and
// class also has an @example. typedoc renders these; this test keeps them from going missing.
// The doc convention (docs/architecture.md): summary, @param per parameter, @returns when not void, @throws, @see
// (spec section), @example. The @param / @returns part is enforced for the packages in DOC_CONVENTION_PACKAGES;
// the others are listed in docs/architecture.md as still to do.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const packages = readdirSync(join(root, 'packages')).filter((dir) => {
  const pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as { private?: boolean };
  return !pkg.private;
});

const entryOf = (dir: string) => join(root, 'packages', dir, 'src', 'index.ts');
let shared: ts.Program | undefined;
// One program for every package: building it is the slow part.
const program = () =>
  (shared ??= ts.createProgram(packages.map(entryOf), { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, skipLibCheck: true, noEmit: true }));

function undocumented(dir: string): { noSummary: string[]; noExample: string[] } {
  const entry = entryOf(dir);
  const checker = program().getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program().getSourceFile(entry)!)!;
  const noSummary: string[] = [];
  const noExample: string[] = [];
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const decl = symbol.declarations?.[0];
    if (!decl || decl.getSourceFile().fileName.includes('node_modules')) continue;
    const summary = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
    const tags = symbol.getJsDocTags(checker).map((t) => t.name);
    if (!summary) noSummary.push(exported.name);
    const isCallable = ts.isFunctionDeclaration(decl) || ts.isClassDeclaration(decl);
    if (isCallable && !tags.includes('example')) noExample.push(exported.name);
  }
  return { noSummary: noSummary.sort(), noExample: noExample.sort() };
}

/** Packages whose exported functions follow the whole convention (a @param for each parameter, @returns unless void). */
const DOC_CONVENTION_PACKAGES = ['client', 'server', 'testing', 'core', 'x12', 'billing', 'cli'];

/** Exported functions of `dir` without a `@param` for some parameter, or without `@returns` when they return a value. */
function offConvention(dir: string): string[] {
  const checker = program().getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program().getSourceFile(entryOf(dir))!)!;
  return checker.getExportsOfModule(moduleSymbol).flatMap((exported) => {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const decl = symbol.declarations?.[0];
    if (!decl || !ts.isFunctionDeclaration(decl) || decl.getSourceFile().fileName.includes('node_modules')) return [];
    const tags = ts.getJSDocTags(decl);
    const documented = new Set(tags.filter(ts.isJSDocParameterTag).map((t) => t.name.getText()));
    const missing = decl.parameters.map((p) => p.name.getText()).filter((name) => !documented.has(name)).map((name) => `@param ${name}`);
    const signature = checker.getSignatureFromDeclaration(decl);
    const returned = signature ? checker.typeToString(checker.getReturnTypeOfSignature(signature)) : 'void';
    if (returned !== 'void' && returned !== 'Promise<void>' && !tags.some((t) => t.tagName.text === 'returns')) missing.push('@returns');
    return missing.length ? [`${exported.name}: ${missing.join(', ')}`] : [];
  });
}

describe('public API documentation', () => {
  for (const dir of DOC_CONVENTION_PACKAGES) {
    it(`@peer-fhir/${dir}: every exported function documents each parameter and what it returns`, () => {
      expect(offConvention(dir)).toEqual([]);
    }, 180_000);
  }

  for (const dir of packages) {
    it(`@peer-fhir/${dir}: every export has a summary and every function and class an example`, () => {
      expect(undocumented(dir)).toEqual({ noSummary: [], noExample: [] });
    }, 180_000);
  }
});
