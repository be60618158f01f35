// Hostile files and terminals (issue 16): crafted input files and values must not truncate inputs, reach the terminal
// as escape sequences, run as spreadsheet formulas, break out of Markdown tables, be readable by other users, abort
// an import, exhaust memory, or misreport what was processed — and no error line may echo them.
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { X12ParseError } from '@peer-fhir/x12';
import { FhirBadRequestError } from '@peer-fhir/client';
import { stringify } from 'csv-stringify/sync';
import { startFhirServer } from '@peer-fhir/testing';
import { CliUsageError, ExitCode, main, outcomesReportToMarkdown, parseConfig, runImport, type CommandIo, type OutcomesReport } from '../src/index.js';
import { configFor, syntheticRows } from './support.js';
import { csvRow, MAX_ROW_BYTES, MAX_VALUE_CHARS, readRows, RejectsWriter } from '../src/import/read-rows.js';
import { IMPORT_COLUMNS } from '../src/import/columns.js';
import { displayUrl, note, say, safeText, writePrivateFile } from '../src/internal/io.js';
import { DATABASE_FILE, startPersistentServer } from '../src/internal/embedded.js';
import { errorLines } from '../src/internal/print-error.js';
import { mdCell } from '../src/internal/report-output.js';

const NAME = 'Zyxwvut';
const BIRTH = '1961-04-17';
const ESC_TITLE = '\u001b]0;pwned\u0007';

function capture(): { io: Partial<CommandIo>; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const sink = (f: (s: string) => void) => new Writable({ write: (c: Buffer | string, _e, cb) => (f(c.toString()), cb()) });
  return {
    io: { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)) },
    out: () => out,
    err: () => err,
  };
}

const tmp = (): string => mkdtempSync(join(tmpdir(), 'peer-fhir-hostile-'));

async function rowsOf(file: string, format: 'csv' | 'ndjson') {
  const out = [];
  for await (const r of readRows(file, format)) out.push(r);
  return out;
}

describe('output paths never overwrite an input', () => {
  it('refuses --rejects naming the input file and leaves the input untouched', async () => {
    const dir = tmp();
    const input = join(dir, 'export.csv');
    const content = `${IMPORT_COLUMNS.join(',')}\n${'x,'.repeat(IMPORT_COLUMNS.length - 1)}x\n`.repeat(3);
    writeFileSync(input, content);
    const c = capture();
    const code = await main(['node', 'peer-fhir', 'import', input, '--rejects', input], c.io);
    expect(code).toBe(ExitCode.USAGE);
    expect(c.err()).toContain('error [cli.usage]: --rejects');
    expect(c.err()).toContain('is also an input file');
    expect(readFileSync(input, 'utf8')).toBe(content);
  });

  it('sees through a symbolic link to the input', async () => {
    const dir = tmp();
    const input = join(dir, 'export.ndjson');
    writeFileSync(input, '{}\n');
    symlinkSync(input, join(dir, 'alias.ndjson'));
    const c = capture();
    expect(await main(['node', 'peer-fhir', 'import', input, '--rejects', join(dir, 'alias.ndjson')], c.io)).toBe(ExitCode.USAGE);
    expect(readFileSync(input, 'utf8')).toBe('{}\n');
  });
});

describe('NDJSON rows from a hostile file', () => {
  it('names unknown keys by position and length only, never their text (PHI, escape sequences)', async () => {
    const dir = tmp();
    const file = join(dir, 'rows.ndjson');
    writeFileSync(file, `${JSON.stringify({ encounter_id: 'e1', [`${ESC_TITLE}${NAME} ${BIRTH}`]: 'x' })}\n`);
    const [row] = await rowsOf(file, 'ndjson');
    expect(row && 'unreadable' in row).toBe(true);
    const reason = (row as { unreadable: { reason: string } }).unreadable.reason;
    expect(reason).toMatch(/unknown key\(s\) at position\(s\) #2 \(\d+ chars\)/);
    expect(reason).not.toContain(NAME);
    expect(reason).not.toContain('\u001b');
  });

  it('rejects a deeply nested row and goes on with the next rows', async () => {
    const dir = tmp();
    const file = join(dir, 'rows.ndjson');
    const deep = `{"encounter_id":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    writeFileSync(file, `${deep}\n{"encounter_id":"e2"}\n`);
    const rows = await rowsOf(file, 'ndjson');
    expect(rows).toHaveLength(2);
    expect((rows[0] as { unreadable: { reason: string } }).unreadable.reason).toContain('nested more than');
    expect(rows[1]).toEqual({ row: 2, values: { encounter_id: 'e2' } });
  });

  it(`rejects a line over ${MAX_ROW_BYTES} bytes without holding it, and reads the next line`, async () => {
    const dir = tmp();
    const file = join(dir, 'rows.ndjson');
    writeFileSync(file, `{"participant_family":"${'a'.repeat(8 * MAX_ROW_BYTES)}"}\n{"encounter_id":"e2"}\n`);
    const rows = await rowsOf(file, 'ndjson');
    expect((rows[0] as { unreadable: { reason: string } }).unreadable.reason).toBe(`line is longer than ${MAX_ROW_BYTES} bytes`);
    expect(rows[1]).toEqual({ row: 2, values: { encounter_id: 'e2' } });
  });

  it(`rejects a value over ${MAX_VALUE_CHARS} characters, naming the column`, () => {
    const r = csvRow({ encounter_id: 'e1', participant_family: 'a'.repeat(MAX_VALUE_CHARS + 1) }, 1);
    expect(r).toEqual({ unreadable: { row: 1, values: { encounter_id: 'e1' }, reason: `column(s) participant_family longer than ${MAX_VALUE_CHARS} characters` } });
  });
});

describe('a malformed CSV', () => {
  it('yields the rows before the break, then one unreadable row that says truthfully how many were read', async () => {
    const dir = tmp();
    const file = join(dir, 'rows.csv');
    writeFileSync(file, `encounter_id,participant_family\ne1,A\ne2,B\ne3,C\ne4,"${NAME} broken\ne5,D\n`);
    const rows = await rowsOf(file, 'csv');
    expect(rows.slice(0, 3)).toEqual([
      // file lines: the header is line 1
      { row: 2, values: { encounter_id: 'e1', participant_family: 'A' } },
      { row: 3, values: { encounter_id: 'e2', participant_family: 'B' } },
      { row: 4, values: { encounter_id: 'e3', participant_family: 'C' } },
    ]);
    const last = rows[3] as { unreadable: { row: number; reason: string } };
    expect(last.unreadable.row).toBe(5); // the line the broken row starts on
    expect(last.unreadable.reason).toMatch(/3 row\(s\) before it were read; this row and the rest of the file were not read/);
    expect(last.unreadable.reason).not.toContain(NAME);
    expect(rows).toHaveLength(4);
  });
});

describe('a malformed CSV, imported', () => {
  it('writes the rows before the break and counts the break as one rejected row that says the rest was not read', async () => {
    const { agency, rows } = syntheticRows(8, 5);
    const good = rows.filter((r) => !r['group_id']).slice(0, 4);
    const dir = tmp();
    const file = join(dir, 'export.csv');
    const body = stringify(good, { header: true, columns: [...IMPORT_COLUMNS] });
    writeFileSync(file, `${body}"${NAME},broken\n${stringify(good.slice(0, 1), { columns: [...IMPORT_COLUMNS] })}`);
    const server = await startFhirServer();
    const c = capture();
    try {
      const summary = await runImport([file], { fhirUrl: server.url, configValue: parseConfig(configFor(agency)) }, { ...c.io, json: false, env: {}, cwd: dir } as CommandIo);
      expect(summary.rowsRead).toBe(good.length + 1);
      expect(summary.created).toBe(good.length);
      expect(summary.rejected).toBe(1);
      expect(summary.rejectedRows[0]!.row).toBe(good.length + 2); // its file line, after the header and the good rows
      expect(summary.rejectedRows[0]!.reasons[0]).toContain(`${good.length} row(s) before it were read; this row and the rest of the file were not read`);
      expect(summary.exitCode).toBe(ExitCode.SOME_REJECTED);
      expect(c.out() + c.err()).not.toContain(NAME);
    } finally {
      await server.close();
    }
  });
});

describe('CSV files we write', () => {
  const hostile = ['=HYPERLINK("http://evil.test","x")', '+cmd|" /C calc"!A0', '@SUM(1+1)*cmd|" /C calc"!A0', '-2+3+cmd|" /C calc"!A0', '\t=1+1', '\r=1+1'];

  it('neutralise formula prefixes (= + - @ tab CR) with an apostrophe, and the importer reads the values back unchanged', async () => {
    const dir = tmp();
    const path = join(dir, 'x.rejects.csv');
    const w = new RejectsWriter(path, 'csv');
    for (const [i, v] of hostile.entries()) await w.write({ encounter_id: `e${i}`, participant_family: v, notes: v }, [`participant_family: hostile`]);
    await w.close();
    const text = readFileSync(path, 'utf8');
    for (const line of text.split('\n').slice(1).filter(Boolean)) expect(line).not.toMatch(/(^|,)"?[=+\-@\t\r]/);
    const back = await rowsOf(path, 'csv');
    // The importer trims surrounding whitespace of every cell (trim: true); compare up to that.
    expect(back.map((r) => ('values' in r ? r.values['participant_family']?.trim() : undefined))).toEqual(hostile.map((v) => v.trim()));
  });

  it('create rejects files readable by their owner only (0600), also when the file existed with 0644', async () => {
    const dir = tmp();
    const path = join(dir, 'x.rejects.ndjson');
    writeFileSync(path, 'old\n');
    chmodSync(path, 0o644);
    const w = new RejectsWriter(path, 'ndjson');
    await w.write({ participant_family: NAME }, ['x']);
    await w.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const report = join(dir, 'r.md');
    await writePrivateFile(report, '# r\n');
    expect(statSync(report).mode & 0o777).toBe(0o600);
  });

  it('the embedded server keeps its data (a PHI database) 0600 in a 0700 folder', async () => {
    const data = join(tmp(), 'data');
    const server = await startPersistentServer({ dataDir: data });
    await server.close();
    expect(statSync(join(data, DATABASE_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(data).mode & 0o777).toBe(0o700);
  });
});

describe('Markdown reports', () => {
  const attack = `${NAME}\n# Injected heading\n| a | b |\n<img src=x onerror=alert(1)> [click](http://evil.test) ![i](http://evil.test/i.png) \`code\``;

  it('escape every cell: no newline, no unescaped pipe, no raw HTML, no link syntax', () => {
    const cell = mdCell(attack);
    expect(cell).not.toMatch(/[\n\r]/);
    expect(cell).not.toMatch(/(^|[^\\])\|/);
    expect(cell).not.toContain('<');
    expect(cell).not.toMatch(/(^|[^\\])\[/);
  });

  it('keep a table a table when a participant id from the server carries a newline and a heading', () => {
    const report: OutcomesReport = {
      instrument: { id: 'barc-10', title: 'BARC-10', direction: 'higher-is-better' },
      range: {},
      programs: [],
      participants: [{ participantId: attack, points: [], change: undefined }],
      observations: { read: 0, skipped: 0 },
    } as unknown as OutcomesReport;
    const md = outcomesReportToMarkdown(report);
    expect(md).not.toMatch(/^# Injected heading/m);
    const lines = md.split('\n');
    const header = lines.findIndex((l) => l.startsWith('| Participant'));
    const table = lines.slice(header, lines.indexOf('', header));
    const cells = (l: string) => l.split(/(?<!\\)\|/).length;
    expect(table).toHaveLength(3); // header, rule, one participant
    expect(table.every((l) => cells(l) === cells(table[0]!))).toBe(true);
  });
});

describe('terminal output', () => {
  it('strips control characters (ESC ] title, CSI, C1, bidi overrides) from every printed line', () => {
    const c = capture();
    const io = { ...c.io, json: false } as CommandIo;
    say(io, `claim ${ESC_TITLE}\u001b[2J\u009b31m\u202eevil`);
    note(io, `\u001b[31mred`);
    expect(c.out() + c.err()).not.toMatch(/[\u001b\u0007\u009b\u202e]/);
    expect(safeText('a\tb\nc')).toBe('a\tb\nc');
  });

  it('prints --fhir-url without query values or credentials', () => {
    expect(displayUrl('https://user:pw@fhir.example.org/r4/?access_token=sk-123&x=1')).toBe('https://fhir.example.org/r4?access_token=…&x=…');
  });
});

describe('error printing', () => {
  it('prints any peer-fhir error with its code and a hint', () => {
    expect(errorLines(new X12ParseError('SE01 segment count does not match', 12, 'SE'), false)).toEqual([
      'error [x12.parse]: SE01 segment count does not match (segment 12 SE)',
      'hint: the X12 file is damaged or not the expected transaction; the segment number says where',
    ]);
    const fhir = errorLines(new FhirBadRequestError({ method: 'GET', url: `https://x.test/Patient?name=${NAME}`, template: 'Patient?…', status: 400 }), false);
    expect(fhir[0]).toBe('error [client.http.bad-request]: GET Patient?… failed with HTTP 400');
    expect(fhir.join('\n')).not.toContain(NAME);
    expect(errorLines(new CliUsageError('bad config', ['a: required', 'b: required']), false)).toEqual([
      'error [cli.usage]: bad config',
      '  a: required',
      '  b: required',
      'hint: run the command with --help for its options',
    ]);
  });

  it('prints OS errors with their code, operation and path (a missing --out folder)', () => {
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open 'out/march.md'"), { code: 'ENOENT', errno: -2, syscall: 'open', path: 'out/march.md' });
    expect(errorLines(enoent, false)).toEqual([
      "error [cli.os]: ENOENT: no such file or folder 'out/march.md'",
      'hint: check the path; to write a file, create its folder first',
    ]);
  });

  it('prints a port in use as EADDRINUSE with a hint, through main', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const c = capture();
    try {
      const code = await main(['node', 'peer-fhir', 'serve', '--port', String(port), '--data', join(tmp(), 'data')], c.io);
      expect(code).toBe(ExitCode.USAGE);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
    expect(c.err()).toContain(`error [cli.os]: EADDRINUSE: port ${port} is already in use`);
    expect(c.err()).toContain('hint: stop the other program or pass --port with a free port');
  });

  it('shows only the class of an unexpected error (its message may hold values); PEER_FHIR_DEBUG adds stack frames', () => {
    const e = new TypeError(`cannot read ${NAME} ${BIRTH}`);
    const plain = errorLines(e, false).join('\n');
    expect(plain).toContain('error: TypeError');
    expect(plain).not.toContain(NAME);
    const debug = errorLines(e, true);
    expect(debug.some((l) => /^\s+at /.test(l))).toBe(true);
    expect(debug.join('\n')).not.toContain(NAME);
  });

  it('leaves no file behind when refusing (the rejects path is never opened)', async () => {
    const dir = tmp();
    const input = join(dir, 'a.ndjson');
    writeFileSync(input, '{}\n');
    await main(['node', 'peer-fhir', 'import', input, '--rejects', input], capture().io);
    expect(existsSync(join(dir, 'a.rejects.ndjson'))).toBe(false);
  });
});
