// docs/architecture.md names the file for each behaviour it lists; those paths exist, and every package README links
// the page, so a newcomer finds it from wherever they start.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const page = readFileSync(join(root, 'docs/architecture.md'), 'utf8');

/** Every backticked repository path in the page: `packages/...`, `test/...`, `docs/...`, `examples/...`. */
const namedPaths = [...page.matchAll(/`((?:packages|test|docs|examples|bench|scripts)\/[^`\s]+)`/g)].map((m) => m[1] ?? '');

describe('docs/architecture.md', () => {
  it('names files, and every path it names exists', () => {
    expect(namedPaths.length).toBeGreaterThan(40);
    expect(namedPaths.filter((path) => !existsSync(join(root, path)))).toEqual([]);
  });

  it('names the entry file of every package', () => {
    const packages = readdirSync(join(root, 'packages'));
    expect(packages.filter((dir) => !namedPaths.includes(`packages/${dir}/src/index.ts`))).toEqual([]);
  });

  it('is linked from every package README', () => {
    const packages = readdirSync(join(root, 'packages'));
    const unlinked = packages.filter((dir) => !readFileSync(join(root, 'packages', dir, 'README.md'), 'utf8').includes('](../../docs/architecture.md'));
    expect(unlinked).toEqual([]);
  });
});
