// What the embedded server relies on inside Medplum's MemoryRepository (pinned to @medplum/fhir-router 4.5.2):
// src/internal/memory-store.ts reads its private `resources` and `history` maps; src/indexed-repository.ts swaps
// those two fields for its indexed / SQLite-backed maps and replaces `search` on its own prototype. These tests fail
// when an upgrade changes any of it, before a search or a history read silently goes wrong.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { MemoryRepository } from '@medplum/fhir-router';
import { describe, expect, it } from 'vitest';
import { versionsOf } from '../src/internal/memory-store.js';

const require = createRequire(import.meta.url);

function installedVersion(name: string): string {
  const dir = (require.resolve.paths(name) ?? []).map((p) => join(p, name)).find((d) => existsSync(join(d, 'package.json')));
  if (!dir) throw new Error(`${name} is not installed`);
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

describe('Medplum MemoryRepository assumptions of the embedded server', () => {
  it('the installed @medplum/fhir-router is the version the server was written against (4.5.2)', () => {
    expect(installedVersion('@medplum/fhir-router')).toBe('4.5.2');
  });

  it('a MemoryRepository keeps its data in two own Map fields, resources and history', () => {
    const repo = new MemoryRepository() as unknown as Record<string, unknown>;
    expect(Object.keys(repo).sort()).toEqual(['history', 'resources']);
    expect(repo.resources).toBeInstanceOf(Map);
    expect(repo.history).toBeInstanceOf(Map);
  });

  it('search is a prototype method taking the search request (so a subclass can replace it)', () => {
    expect(typeof MemoryRepository.prototype.search).toBe('function');
    expect(MemoryRepository.prototype.search.length).toBe(1);
  });

  it('the history map holds every version of a resource, which versionsOf reads oldest first', async () => {
    const repo = new MemoryRepository();
    const created = await repo.createResource({ resourceType: 'Patient', active: true });
    await repo.updateResource({ ...created, active: false });
    expect(versionsOf(repo, 'Patient', created.id).map((p) => (p as { active?: boolean }).active)).toEqual([true, false]);
  });
});
