#!/usr/bin/env node
// Entry point for the README's two commands: `npm run demo` and `npm test`.
// Needs only Node >= 20.19 and npm: it fetches the pinned pnpm when it is missing, installs the
// workspace from the lockfile, builds, and runs the job asked for.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PNPM_VERSION = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];
const job = process.argv[2];
const jobs = { demo: demo, test: test };
if (!(job in jobs)) {
  console.error(`usage: node scripts/run.mjs <${Object.keys(jobs).join('|')}>`);
  process.exit(2);
}

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`peer-fhir needs Node >= 20.19 (this is ${process.version}).`);
  process.exit(2);
}

function run(cmd, args, { allowFail = false } = {}) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: false, env: process.env });
  if (r.error) throw r.error;
  if (r.status !== 0 && !allowFail) process.exit(r.status ?? 1);
  return r.status ?? 1;
}

function pnpmCommand() {
  const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  if (probe.status === 0 && probe.stdout.trim() === PNPM_VERSION) return ['pnpm', []];
  return ['npx', ['--yes', `pnpm@${PNPM_VERSION}`]];
}
const [pnpmBin, pnpmPre] = pnpmCommand();
const pnpm = (args, opts) => run(pnpmBin, [...pnpmPre, ...args], opts);

// Install and build quietly: their output (~130 lines) is shown only when a step fails, so the demo's own
// output comes first. PEER_FHIR_VERBOSE=1 shows everything.
function quiet(args) {
  if (process.env.PEER_FHIR_VERBOSE === '1') return pnpm(args);
  const r = spawnSync(pnpmBin, [...pnpmPre, ...args], { cwd: root, encoding: 'utf8', env: process.env, maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    process.stdout.write(r.stdout ?? '');
    process.stderr.write(r.stderr ?? '');
    console.error(`\n'pnpm ${args.join(' ')}' failed (exit ${r.status ?? 1}); its output is above.`);
    process.exit(r.status ?? 1);
  }
  return 0;
}

// Every step's wall time, printed as it ends and again as a table before the closing line (docs/contributing.md).
const timings = [];
function timed(name, fn) {
  const start = performance.now();
  const out = fn();
  const done = () => {
    const s = (performance.now() - start) / 1000;
    timings.push([name, s]);
    console.log(`[step] ${name}: ${s.toFixed(1)} s`);
  };
  if (out instanceof Promise) return out.finally(done);
  done();
  return out;
}
function printTimings() {
  console.log('\nstep durations (wall; parallel steps overlap):');
  for (const [name, s] of timings) console.log(`  ${name.padEnd(44)} ${s.toFixed(1).padStart(7)} s`);
}

/** Run a pnpm command with its output captured; resolves to its exit status and output. */
function captured(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(pnpmBin, [...pnpmPre, ...args], { cwd: root, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks = [];
    child.stdout.on('data', (d) => chunks.push(d));
    child.stderr.on('data', (d) => chunks.push(d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status: status ?? 1, output: Buffer.concat(chunks).toString('utf8') }));
  });
}

/**
 * Type checks, package lint and the API docs build read the built packages and none writes what another reads, so
 * they run at the same time (two cores: one waits on I/O while another computes). Each one's output is printed when it
 * ends, in order; the first that fails ends the job with its exit status, as when they ran one after another.
 */
async function checks(steps) {
  const results = await Promise.all(steps.map((args) => timed(`pnpm ${args.join(' ')}`, () => captured(args))));
  for (const [i, r] of results.entries()) {
    console.log(`\n$ ${pnpmBin} ${[...pnpmPre, ...steps[i]].join(' ')}`);
    process.stdout.write(r.output);
  }
  const failed = results.find((r) => r.status !== 0);
  if (failed) {
    printTimings();
    process.exit(failed.status);
  }
}

function installAndBuild() {
  // better-sqlite3 (the embedded server's database) builds its addon with node-gyp when no prebuilt binary can be
  // downloaded; node-gyp then needs Node's headers. Where they are installed with Node (/usr/include/node) and npm
  // has no nodedir set, point node-gyp at them rather than at a download.
  if (!process.env.npm_config_nodedir && existsSync('/usr/include/node/node_version.h')) process.env.npm_config_nodedir = '/usr';
  console.log('peer-fhir: installing dependencies and building the packages (a few minutes on a fresh clone: the SQLite addon is compiled)...');
  timed('pnpm install --frozen-lockfile', () => quiet(['install', '--frozen-lockfile']));
  timed('pnpm run build', () => quiet(['run', 'build']));
}

function demo() {
  installAndBuild();
  pnpm(['run', 'demo:run']);
}

async function test() {
  installAndBuild();
  await checks([['run', 'typecheck'], ['run', 'lint:pkg'], ['run', 'docs:build']]);
  const report = join(root, '.ci', 'vitest-report.json');
  const rc = timed('vitest run', () =>
    pnpm(['exec', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], { allowFail: true }),
  );
  printTimings();
  if (!existsSync(report)) {
    console.log('0 passed, 1 failed');
    process.exit(rc || 1);
  }
  const r = JSON.parse(readFileSync(report, 'utf8'));
  const skipped = r.numPendingTests + r.numTodoTests;
  // CI's log reader reads this plain closing line.
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(rc !== 0 ? rc : r.numTotalTests === 0 ? 1 : 0);
}

await jobs[job]();
