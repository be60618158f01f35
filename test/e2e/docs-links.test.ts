// Relative links in the Markdown docs point at files that exist (a broken link fails CI).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.') || name === 'docs-out') return [];
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

describe('documentation links', () => {
  it('every relative link in every Markdown file resolves to a file', () => {
    const broken: string[] = [];
    const files = markdownFiles(root);
    for (const file of files) {
      const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue;
        const path = resolve(dirname(file), decodeURIComponent(target.split('#')[0]!));
        if (!existsSync(path)) broken.push(`${relative(root, file)} -> ${target}`);
      }
    }
    expect(files.length).toBeGreaterThan(5);
    expect(broken).toEqual([]);
  });
});
