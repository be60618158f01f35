import { defineConfig } from 'tsup';

const entry = { index: 'src/index.ts', 'mapping/index': 'src/mapping/index.ts', 'profiles/index': 'src/profiles/index.ts' };
// Browser-safe by contract (no I/O, no Node built-ins): built for the browser platform, so a Node built-in fails the
// build; ES2022 runs on Node 20 and every current browser.
const common = { entry, target: 'es2022', platform: 'browser', tsconfig: 'tsconfig.build.json', sourcemap: true } as const;

export default defineConfig([
  // Node (`import` and `require`): zod bundled into core's JavaScript (issue 18, B6): loading zod's ~95 module files
  // through Node's ESM loader was most of a cold import. The declarations still import zod's types from `zod`.
  { ...common, format: ['esm', 'cjs'], dts: true, noExternal: ['zod'] },
  // Bundlers for the browser (the `browser` condition): zod stays an import, so the app's bundler shares it with the
  // app's own zod and drops what is not called (a bundle of zod inside our files cannot be tree-shaken as well).
  { ...common, format: ['esm'], outDir: 'dist/browser', dts: false },
]);
