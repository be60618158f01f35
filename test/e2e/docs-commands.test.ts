// Issue 19, acceptance 3: the `peer-fhir` commands shown in the docs (```sh blocks of README.md, docs/*.md and the
// package and example READMEs) cannot drift from the program. Each one is parsed by the real `peer-fhir` program
// (commander): the command exists, every option is known, option values are among the allowed choices, required
// options are there and the number of arguments fits. Then each is RUN, in-process, in one temporary folder in the
// order an agency would (init, packs, validate, import, eligibility and status, bill, reports, export), with the files
// it names made from the docs' templates; it must end with exit 0 or 1 (1: rows rejected, items held, findings),
// never a usage or system error. `--fhir-url http://127.0.0.1:8080/fhir` is the `peer-fhir serve` of that same folder
// (README: `peer-fhir serve --port 8080`), so those commands run against the folder's embedded server. A line that
// cannot run here carries a visible `# not run: REASON` (a remote server, a payer's answer, interactive, a long run);
// a line that is not even parsed, `# not checked: REASON`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgram, main } from '../../packages/cli/src/index.js';
import { prepareDocsFolder, runOrder, LOCAL_SERVE_URL } from './docs-commands-folder.js';

const root = resolve(import.meta.dirname, '../..');

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.') || name === 'docs-out' || name === 'fixtures') return [];
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

/** One documented command: where, the line as shown, its words (shell quoting removed) and the opt-out reasons. */
interface DocCommand {
  where: string;
  line: string;
  words: string[];
  skipped: string | undefined;
  notRun: string | undefined;
}

/** Shell words of a command line: quotes removed, stopping at a comment, a redirection or a pipe. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
    const bare = m[3];
    if (bare !== undefined && (bare.startsWith('#') || bare === '>' || bare === '|' || bare === '&&' || bare.startsWith('>'))) break;
    words.push(m[1] ?? m[2] ?? bare ?? '');
  }
  return words;
}

/** Every `peer-fhir …` line of the shell blocks of one Markdown file, with `\` continuations joined. */
function commandsIn(file: string): DocCommand[] {
  const text = readFileSync(file, 'utf8');
  const out: DocCommand[] = [];
  for (const block of text.matchAll(/```(?:sh|bash|shell|console)\n([\s\S]*?)```/g)) {
    const lines = block[1]!.replace(/\\\n\s*/g, ' ').split('\n');
    for (const raw of lines) {
      const line = raw.trim().replace(/^\$\s+/, '');
      const m = /^(?:npx\s+|pnpm\s+exec\s+)?peer-fhir\s+(.*)$/.exec(line);
      if (!m) continue;
      const skipped = /#\s*not checked:\s*(.+)$/.exec(line)?.[1];
      const notRun = /#\s*not run:\s*(.+)$/.exec(line)?.[1];
      out.push({ where: relative(root, file), line, words: shellWords(m[1]!), skipped, notRun });
    }
  }
  return out;
}

class Stopped extends Error {}

/** Parse one command with the real program; the action is stopped before it runs. `undefined` means it parses. */
async function parseProblem(words: readonly string[]): Promise<string | undefined> {
  let errors = '';
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const err = new Writable({ write: (c: Buffer, _e, cb) => ((errors += c.toString()), cb()) });
  const { program } = createProgram({ stdout: sink, stderr: err });
  program.configureOutput({ writeOut: () => undefined, writeErr: (s: string) => (errors += s) });
  program.hook('preAction', () => {
    throw new Stopped();
  });
  try {
    await program.parseAsync(['node', 'peer-fhir', ...words]);
    return 'the command ran no action';
  } catch (e) {
    if (e instanceof Stopped) return undefined;
    // commander's own errors (CommanderError) carry a `commander.*` code and an exit code.
    const ce = e as { code?: unknown; exitCode?: unknown };
    if (typeof ce.code === 'string' && ce.code.startsWith('commander.')) return ce.exitCode === 0 ? undefined : `${ce.code}: ${errors.trim().split('\n')[0]}`;
    throw e;
  }
}

describe('the peer-fhir commands shown in the docs', () => {
  const commands = markdownFiles(root).flatMap(commandsIn);

  it('are found in the docs (README, docs/, package READMEs)', () => {
    expect(commands.length).toBeGreaterThan(40);
    expect(new Set(commands.map((c) => c.where.split('/')[0]))).toEqual(expect.objectContaining({ size: expect.any(Number) }));
  });

  it('each parses with the real program: command, options, choices, required options, arguments (or says why not)', async () => {
    const problems: string[] = [];
    for (const c of commands) {
      if (c.skipped !== undefined) continue;
      const problem = await parseProblem(c.words);
      if (problem) problems.push(`${c.where}: ${c.line}\n    ${problem}`);
    }
    expect(problems).toEqual([]);
  }, 180_000);

  it('would catch a drifted command: an unknown option, an unknown command, a missing required option', async () => {
    expect(await parseProblem(['import', 'a.csv', '--kindd', 'plans'])).toMatch(/unknownOption/);
    expect(await parseProblem(['imprt', 'a.csv'])).toMatch(/unknownCommand/);
    expect(await parseProblem(['bill', '--period', '2025-03'])).toMatch(/missingMandatoryOptionValue/);
    expect(await parseProblem(['import', 'a.csv', '--kind', 'visits'])).toMatch(/invalidArgument/);
    expect(await parseProblem(['import', 'a.csv', '--kind', 'plans'])).toBeUndefined();
  });
});

/** Run one documented command in `cwd`, in-process; its exit code and what it printed on stderr. */
async function runDocCommand(words: readonly string[], cwd: string): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const err = new Writable({ write: (c: Buffer, _e, cb) => ((stderr += c.toString()), cb()) });
  // The docs' local server is the `peer-fhir serve` of this folder: its embedded server.
  const local = words.flatMap((w, i) => (w === '--fhir-url' && words[i + 1] === LOCAL_SERVE_URL ? [i, i + 1] : []));
  const argv = words.filter((_w, i) => !local.includes(i));
  const code = await main(['node', 'peer-fhir', ...argv], { stdout: sink, stderr: err, cwd, env: { ...process.env } });
  return { code, stderr };
}

describe('the peer-fhir commands shown in the docs, run', () => {
  const commands = markdownFiles(root).flatMap(commandsIn).filter((c) => c.skipped === undefined);

  it('every command that needs a remote server, a payer\'s answer or a terminal says so with a not-run marker', () => {
    const remote = commands.filter((c) => c.notRun === undefined && c.words.some((w) => /^https?:\/\//.test(w) && !w.startsWith(LOCAL_SERVE_URL)));
    expect(remote.map((c) => `${c.where}: ${c.line}`)).toEqual([]);
    expect(commands.filter((c) => c.notRun !== undefined).every((c) => c.notRun!.trim().length > 3)).toBe(true);
  });

  it('each runs in one agency folder, in the order of the daily loop, and ends with exit 0 or 1', async () => {
    const dir = prepareDocsFolder();
    const seen = new Set<string>();
    const failures: string[] = [];
    const previous = process.cwd();
    process.chdir(dir); // the docs' relative paths (export.csv, out/march.x12) are relative to the folder
    try {
      for (const c of runOrder(commands.filter((x) => x.notRun === undefined))) {
        const key = c.words.filter((w) => w !== LOCAL_SERVE_URL && w !== '--fhir-url').join(' ');
        if (seen.has(key)) continue;
        seen.add(key);
        const { code, stderr } = await runDocCommand(c.words, dir);
        if (code !== 0 && code !== 1) failures.push(`${c.where}: ${c.line}\n    exit ${code}: ${stderr.trim().split('\n').slice(-2).join(' | ')}`);
      }
    } finally {
      process.chdir(previous);
    }
    expect(failures).toEqual([]);
    expect(seen.size).toBeGreaterThan(25);
  }, 300_000);
});
