// Creates a package skeleton under packages/<dir> (used once per package; kept for new packages).
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
const [dir, description, privateFlag] = process.argv.slice(2);
if (!dir || !description) throw new Error('usage: new-package.mjs <dir> <description> [private]');
const root = `packages/${dir}`;
if (existsSync(root)) throw new Error(`${root} exists`);
mkdirSync(`${root}/src`, { recursive: true });
mkdirSync(`${root}/test`, { recursive: true });
const isPrivate = privateFlag === 'private';
const pkg = {
  name: `@peer-fhir/${dir}`,
  version: '0.1.0',
  description,
  license: 'Apache-2.0',
  ...(isPrivate ? { private: true } : {}),
  type: 'module',
  sideEffects: false,
  files: ['dist'],
  main: './dist/index.cjs',
  module: './dist/index.js',
  types: './dist/index.d.cts',
  exports: {
    '.': {
      import: { types: './dist/index.d.ts', default: './dist/index.js' },
      require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
    },
    './package.json': './package.json',
  },
  engines: { node: '>=20.19.0' },
  scripts: {
    build: 'rm -rf dist && tsup',
    typecheck: 'tsc -p tsconfig.json --noEmit',
  },
  repository: { type: 'git', url: 'git+https://github.com/peer-fhir/peer-fhir.git', directory: root },
  dependencies: {},
};
writeFileSync(`${root}/package.json`, JSON.stringify(pkg, null, 2) + '\n');
writeFileSync(`${root}/tsconfig.json`, JSON.stringify({ extends: '../../tsconfig.base.json', compilerOptions: { noEmit: true }, include: ['src', 'test'] }, null, 2) + '\n');
writeFileSync(`${root}/tsconfig.build.json`, JSON.stringify({ extends: '../../tsconfig.base.json', compilerOptions: { rootDir: 'src' }, include: ['src'] }, null, 2) + '\n');
writeFileSync(`${root}/tsup.config.ts`, `import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  tsconfig: 'tsconfig.build.json',
});
`);
writeFileSync(`${root}/typedoc.json`, JSON.stringify({ extends: ['../../typedoc.base.json'], entryPoints: ['src/index.ts'] }, null, 2) + '\n');
writeFileSync(`${root}/src/index.ts`, `/** ${description} */\nexport const PACKAGE_NAME = '@peer-fhir/${dir}';\n`);
