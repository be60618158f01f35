import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

const pkg = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

/**
 * Pure-unit packages: no I/O, no mocks, no stubbed globals, no servers. Their files share one module cache per worker
 * (`isolate: false`): loading core's schemas and the packs once instead of once per file saved ~60% of their CPU time
 * (docs/contributing.md). Everything else (servers, msw, spawned CLIs, stubbed fetch) keeps a fresh process per file.
 */
const UNIT = ['packages/core/test/**/*.test.ts', 'packages/billing/test/**/*.test.ts', 'packages/x12/test/**/*.test.ts'];
/**
 * The CLI and cross-package files import nearly every package: sharing the module cache saves most of their import
 * time too. Each closes what it starts in `afterAll`. Left out (a fresh process each): files that spy on or replace
 * globals (fetch, console) or change the working folder.
 */
const SHARED = ['packages/cli/test/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/reliability/**/*.test.ts'];
const OWN_PROCESS = ['packages/cli/test/bill-requests.test.ts', 'packages/cli/test/bill-chunks.test.ts', 'test/e2e/docs-commands.test.ts', 'test/reliability/logs.test.ts'];

// Tests run against each package's source; the pack smoke test covers the built output.
export default defineConfig({
  resolve: {
    alias: {
      '@peer-fhir/core/mapping': fileURLToPath(new URL('./packages/core/src/mapping/index.ts', import.meta.url)),
      '@peer-fhir/core/profiles': fileURLToPath(new URL('./packages/core/src/profiles/index.ts', import.meta.url)),
      '@peer-fhir/core': pkg('core'),
      '@peer-fhir/client/testing': fileURLToPath(new URL('./packages/client/src/testing/index.ts', import.meta.url)),
      '@peer-fhir/client': pkg('client'),
      '@peer-fhir/billing': pkg('billing'),
      '@peer-fhir/x12/testing': fileURLToPath(new URL('./packages/x12/src/testing/index.ts', import.meta.url)),
      '@peer-fhir/x12': pkg('x12'),
      '@peer-fhir/server/validation': fileURLToPath(new URL('./packages/server/src/validation/index.ts', import.meta.url)),
      '@peer-fhir/server': pkg('server'),
      // Before '@peer-fhir/testing': an alias also matches as a prefix.
      '@peer-fhir/testing/synthetic': fileURLToPath(new URL('./packages/testing/src/synthetic/index.ts', import.meta.url)),
      '@peer-fhir/testing': pkg('testing'),
      '@peer-fhir/cli': pkg('cli'),
    },
  },
  test: {
    pool: 'forks',
    // vitest's default on 2 cores is 1 worker; most files wait on servers and CLI processes, so 2 keep both cores busy.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // Timeouts catch a hang, never measure speed (benchmarks do): a CI machine at load 20 runs a 10 s test in 40 s,
    // and a 30 s default failed the whole run for a test that was only slow.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Every test file writes its temporary files under one private folder that is removed when it ends.
    globalSetup: ['test/setup/temp-root.ts'],
    setupFiles: ['test/setup/temp-per-file.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT, isolate: false } },
      { extends: true, test: { name: 'shared', include: SHARED, exclude: [...configDefaults.exclude, ...OWN_PROCESS], isolate: false } },
      { extends: true, test: { name: 'own-process', include: OWN_PROCESS } },
      { extends: true, test: { name: 'integration', include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...UNIT, ...SHARED] } },
    ],
  },
});
