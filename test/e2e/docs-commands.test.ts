// Issue 19, acceptance 3: the `peer-fhir` commands shown in the docs (```sh blocks of README.md, docs/*.md and the
// package and example READMEs) cannot drift from the program. Each one is parsed by the real `peer-fhir` program
// (commander): the command exists, every option is known, option values are among the allowed choices, required
// options are there and the number of arguments fits; the action itself is stopped before it runs. A line may carry
// `# not checked: REASON` to opt out visibly. The commands of the daily loop (init, import of each kind, bill, remit,
// report compliance|outcomes|disclosures|html) are also run for real by packages/cli/test/daily-loop.test.ts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgram } from '../../packages/cli/src/index.js';

const root = resolve(import.meta.dirname, '../..');

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.') || name === 'docs-out' || name === 'fixtures') return [];
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

/** One documented command: where, the line as shown, its words (shell quoting removed) and an opt-out reason. */
interface DocCommand {
  where: string;
  line: string;
  words: string[];
  skipped: string | undefined;
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
      out.push({ where: relative(root, file), line, words: shellWords(m[1]!), skipped });
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
  }, 60_000);

  it('would catch a drifted command: an unknown option, an unknown command, a missing required option', async () => {
    expect(await parseProblem(['import', 'a.csv', '--kindd', 'plans'])).toMatch(/unknownOption/);
    expect(await parseProblem(['imprt', 'a.csv'])).toMatch(/unknownCommand/);
    expect(await parseProblem(['bill', '--period', '2025-03'])).toMatch(/missingMandatoryOptionValue/);
    expect(await parseProblem(['import', 'a.csv', '--kind', 'visits'])).toMatch(/invalidArgument/);
    expect(await parseProblem(['import', 'a.csv', '--kind', 'plans'])).toBeUndefined();
  });
});
