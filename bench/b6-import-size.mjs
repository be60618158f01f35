// B6: cold import() time (fresh child process per run, median) of @peer-fhir/core vs @medplum/core (target: <= 2x),
// and min+gzip size (esbuild --bundle --minify --platform=browser of the package specifier, which resolves the
// exports map's `browser` condition as a front-end's bundler does, dependencies bundled, then gzip -9) of the browser
// entry `@peer-fhir/core/mapping` (toFhir + schemas; target <= 40 KiB, asserted in test/e2e/browser-bundle.test.ts
// on the sources) beside the whole of both packages.
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { log, QUICK, report, requireFrom, ROOT } from './lib.mjs';

const RUNS = QUICK ? 5 : 11;
const esbuild = requireFrom('node_modules/tsup')('esbuild');

function coldImportMs(specifier) {
  const code = `const t0 = performance.now(); await import(${JSON.stringify(specifier)}); process.stdout.write(String(performance.now() - t0));`;
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`import ${specifier} failed: ${r.stderr}`);
    times.push(Number(r.stdout));
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)], minMs: times[0], maxMs: times.at(-1) };
}

// Bundles the package specifier as a front-end's bundler would: esbuild for the browser platform resolves the
// `browser` condition of the exports map (core's browser build keeps zod an import, so it tree-shakes).
async function minGzip(specifier) {
  const stdin = { contents: `export * from ${JSON.stringify(specifier)};`, resolveDir: ROOT };
  const out = await esbuild.build({ stdin, bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent' });
  const code = out.outputFiles[0].contents;
  return { minBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
}

log(`B6: ${RUNS} cold imports each`);
const coreImport = coldImportMs('@peer-fhir/core');
const medplumImport = coldImportMs('@medplum/core');
const coreSize = await minGzip('@peer-fhir/core');
const medplumSize = await minGzip('@medplum/core');
const mappingSize = await minGzip('@peer-fhir/core/mapping');

const importRatio = coreImport.medianMs / medplumImport.medianMs;
const sizeRatio = coreSize.gzipBytes / medplumSize.gzipBytes;
report({
  id: 'B6',
  what: `@peer-fhir/core cold import() in Node (median of ${RUNS} fresh processes)`,
  oursMs: coreImport.medianMs,
  baselineMs: medplumImport.medianMs,
  baselineName: '@medplum/core, same measure',
  ratio: importRatio,
  target: 'ratio <= 2',
  met: importRatio <= 2,
  extra: { import: { core: coreImport, medplum: medplumImport, ratio: importRatio }, size: { core: coreSize, mapping: mappingSize, medplum: medplumSize, ratio: sizeRatio } },
});
report({
  id: 'B6-browser',
  unit: 'bytes',
  what: 'browser bundle of @peer-fhir/core/mapping (toFhir + schemas), min+gzip',
  oursMs: mappingSize.gzipBytes,
  baselineMs: medplumSize.gzipBytes,
  baselineName: `@medplum/core whole; @peer-fhir/core whole: ${(coreSize.gzipBytes / 1024).toFixed(1)} KiB`,
  ratio: mappingSize.gzipBytes / medplumSize.gzipBytes,
  target: '<= 40 KiB',
  met: mappingSize.gzipBytes <= 40 * 1024,
  extra: { mapping: mappingSize, core: coreSize, medplum: medplumSize },
});
