// The public surface is what each package.json `exports` entry names, and nothing in it is declared in an `internal/`
// folder: internal code can change without a major version, so a public name declared there would break that promise.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

interface Entry {
  /** `@peer-fhir/x12`, `@peer-fhir/core/profiles`, ... */
  specifier: string;
  /** The source file the entry is built from. */
  source: string;
}

type ExportMap = Record<string, string | { import?: { types?: string } }>;

/** Every `exports` entry of every package that has types, mapped from `dist/*.d.ts` back to `src/*.ts`. */
function publicEntries(): Entry[] {
  return readdirSync(join(root, 'packages')).flatMap((dir) => {
    const pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as { name: string; exports?: ExportMap };
    return Object.entries(pkg.exports ?? {}).flatMap(([subpath, target]) => {
      const types = typeof target === 'string' ? undefined : target.import?.types;
      if (!types) return [];
      // dist/x/index.d.ts is built from src/x/index.ts, or from src/x.ts (an entry named in tsup.config.ts).
      const asIndex = join(root, 'packages', dir, types.replace(/^\.\/dist\//, 'src/').replace(/\.d\.ts$/, '.ts'));
      const source = existsSync(asIndex) ? asIndex : asIndex.replace(/\/index\.ts$/, '.ts');
      return [{ specifier: subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`, source }];
    });
  });
}

const entries = publicEntries();
const program = ts.createProgram(
  entries.map((e) => e.source),
  { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, skipLibCheck: true, noEmit: true },
);
const checker = program.getTypeChecker();

/** `name -> file` for each exported symbol of `entry` whose declaration is in an `internal/` folder of ours. */
function declaredInInternal(entry: Entry): string[] {
  const file = program.getSourceFile(entry.source);
  if (!file) throw new Error(`no source file for ${entry.specifier}`);
  const moduleSymbol = checker.getSymbolAtLocation(file);
  if (!moduleSymbol) return [];
  return checker.getExportsOfModule(moduleSymbol).flatMap((exported) => {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    return (symbol.declarations ?? [])
      .map((d) => relative(root, d.getSourceFile().fileName))
      .filter((path) => !path.includes('node_modules') && /(^|\/)internal\//.test(path))
      .map((path) => `${exported.name} (${path})`);
  });
}

describe('public surface', () => {
  it('every package has at least one typed entry', () => {
    expect(entries.length).toBeGreaterThanOrEqual(7);
  });

  for (const entry of entries) {
    it(`${entry.specifier}: no exported symbol is declared in an internal/ file`, () => {
      expect(declaredInInternal(entry)).toEqual([]);
    });
  }

  it('every internal/ folder has a README saying what it holds', () => {
    const missing = readdirSync(join(root, 'packages')).flatMap((dir) =>
      internalFolders(join(root, 'packages', dir, 'src')).filter((folder) => !readdirSync(folder).includes('README.md')),
    );
    expect(missing.map((m) => relative(root, m))).toEqual([]);
  });
});

function internalFolders(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => {
      const path = join(dir, d.name);
      return d.name === 'internal' ? [path, ...internalFolders(path)] : internalFolders(path);
    });
}
