// Issue 18, B6: EHR front-ends map records to FHIR in the browser, so the mapping entry of @peer-fhir/core
// (`toFhir` + every domain schema) must stay small there. Bundle size is deterministic (same sources, same esbuild,
// same zod), so the limit is asserted here; timings are only ever measured in bench/.
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const KIB = 1024;
/** The limit for the browser bundle of the mapping entry, min+gzip (today's @medplum/core: ~61 KiB). */
const LIMIT_BYTES = 40 * KIB;

const entry = (path: string) => fileURLToPath(new URL(`../../packages/core/src/${path}`, import.meta.url));

/** esbuild for the browser platform (a Node built-in fails the build), minified, then gzip -9. */
async function browserBundle(file: string): Promise<{ minBytes: number; gzipBytes: number; inputs: string[] }> {
  const out = await build({ entryPoints: [file], bundle: true, minify: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, metafile: true, logLevel: 'silent' });
  const code = out.outputFiles[0]?.contents ?? new Uint8Array();
  // The modules that put code into the bundle (a module read but fully tree-shaken adds 0 bytes).
  const inputs = Object.values(out.metafile.outputs).flatMap((o) => Object.entries(o.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([path]) => path));
  return { minBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, inputs };
}

describe('@peer-fhir/core in the browser', () => {
  it('the mapping entry (toFhir + schemas) bundles for the browser within 40 KiB min+gzip', async () => {
    const mapping = await browserBundle(entry('mapping/index.ts'));
    console.info(`@peer-fhir/core/mapping: ${mapping.minBytes} B min, ${mapping.gzipBytes} B min+gzip (limit ${LIMIT_BYTES})`);
    expect(mapping.gzipBytes).toBeLessThanOrEqual(LIMIT_BYTES);
  });

  it("keeps zod's locales and the modules a mapping does not need out of the mapping entry", async () => {
    const { inputs } = await browserBundle(entry('mapping/index.ts'));
    // `import * as z from 'zod'` lets the bundler drop what is not called; `import { z }` pulled in every locale.
    expect(inputs.filter((p) => /zod\/v4\/locales\//.test(p) && !p.endsWith('/en.js'))).toEqual([]);
    expect(inputs.filter((p) => /packages\/core\/src\/(consent|outcomes|referrals|workforce)\//.test(p))).toEqual([]);
  });

  it('the whole package also bundles for the browser platform (no Node built-in anywhere in core)', async () => {
    const whole = await browserBundle(entry('index.ts'));
    expect(whole.gzipBytes).toBeGreaterThan(0);
  });
});
