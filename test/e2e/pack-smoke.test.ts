// Packs every published package, installs the tarballs into a scratch npm project and loads each one
// with require() and import(): catches what publint and attw cannot (e.g. an ESM-only dependency in a CJS build).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const packages = readdirSync(join(root, 'packages'))
  .map((dir) => ({ dir: join(root, 'packages', dir), pkg: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as { name: string; private?: boolean } }))
  .filter((p) => !p.pkg.private);

let scratch = '';

describe('packed packages', () => {
  beforeAll(() => {
    for (const p of packages) {
      if (!existsSync(join(p.dir, 'dist', 'index.cjs'))) throw new Error(`${p.pkg.name} is not built: run \`pnpm run build\` first`);
    }
    scratch = mkdtempSync(join(tmpdir(), 'peer-fhir-smoke-'));
    const tarballs = packages.map((p) => {
      const out = execFileSync('pnpm', ['pack', '--pack-destination', scratch], { cwd: p.dir, encoding: 'utf8' }).trim().split('\n');
      return join(scratch, out[out.length - 1]!.split('/').pop()!);
    });
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'smoke-consumer', version: '1.0.0', private: true }));
    // --ignore-scripts: better-sqlite3 (of @peer-fhir/server) would compile its addon again here, minutes on a small
    // machine; it loads the addon only when a database is opened, which loading a package does not do.
    // msw: the optional peer dependency of @peer-fhir/testing's handlers, installed as a consumer of them would.
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--ignore-scripts', ...tarballs, 'msw@2.15.0'], { cwd: scratch, stdio: 'pipe' });
  }, 300_000);

  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  // The validation entry reads the US Core subset shipped next to dist/ (fhir-packages/): found from both builds.
  it('@peer-fhir/server/validation validates with the shipped US Core profiles, from require() and import()', () => {
    const role = JSON.stringify({ resourceType: 'PractitionerRole', meta: { profile: ['http://hl7.org/fhir/us/core/StructureDefinition/us-core-practitionerrole'] } });
    const cjs = execFileSync('node', ['-e', `const v = require('@peer-fhir/server/validation'); console.log(v.validateProfiles(${role}).issues.map((i) => i.key).join(','))`], { cwd: scratch, encoding: 'utf8' });
    expect(cjs).toContain('pd-1');
    const esm = execFileSync('node', ['--input-type=module', '-e', `const v = await import('@peer-fhir/server/validation'); console.log(v.validateProfiles(${role}).issues.map((i) => i.key).join(','))`], { cwd: scratch, encoding: 'utf8' });
    expect(esm).toContain('pd-1');
  }, 180_000);

  for (const p of packages) {
    it(`${p.pkg.name} loads with require() from an npm consumer`, () => {
      const out = execFileSync('node', ['-e', `const m = require(${JSON.stringify(p.pkg.name)}); console.log(Object.keys(m).length)`], { cwd: scratch, encoding: 'utf8' });
      expect(Number(out.trim())).toBeGreaterThan(0);
    });
    it(`${p.pkg.name} loads with import() from an npm consumer`, () => {
      const out = execFileSync('node', ['--input-type=module', '-e', `const m = await import(${JSON.stringify(p.pkg.name)}); console.log(Object.keys(m).length)`], { cwd: scratch, encoding: 'utf8' });
      expect(Number(out.trim())).toBeGreaterThan(0);
    });
  }
});
