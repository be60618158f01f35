// The embedded FHIR server in a process of its own, as a FHIR server is in production: the client's CPU and the
// server's then run side by side (the machine has more than one core), and each is measured apart.
//
// As a child (`fork`ed by `startServerProcess`): starts a fresh `startFhirServer` (a new, empty store) for each
// `{ start: options }` it is sent and answers its URL, answers `cpu` with its own process CPU time, closes a server
// on `{ close: id }`, and exits on `exit` or when its parent goes. `PEER_FHIR_B2_SERVER_PROF=DIR` writes a V8 CPU
// profile of the child to DIR (node `--cpu-prof`) for the server's side of a profile.
//
// Full mode forks one child per server. Quick mode (`--quick`) forks one child for the whole run and starts every
// fresh server in it: each child start-up indexes the FHIR definitions (~3 s of CPU), and B2 starts 30 servers, which
// made B2 alone ~100 s of CPU in `pnpm bench --quick`. The servers are still fresh stores in a process apart from
// the client, used one at a time; the difference is that the child's JIT is warm after the warm-up pass.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);

if (process.send && process.argv[2] === '--child') {
  const { startFhirServer } = await import('@peer-fhir/server');
  const servers = new Map();
  let last = 0;
  process.on('disconnect', () => process.exit(0));
  process.on('message', async (m) => {
    if (m === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send({ cpuMs: (user + system) / 1000 });
    } else if (m?.start) {
      const server = await startFhirServer(m.start);
      servers.set(++last, server);
      process.send({ id: last, url: server.url });
    } else if (m?.close) {
      await servers.get(m.close)?.close();
      servers.delete(m.close);
      // The closed store is garbage: collect it now, not inside the next server's measurement.
      globalThis.gc?.();
      process.send({ closed: m.close });
    } else if (m === 'exit') {
      process.disconnect();
      process.exit(0);
    }
  });
  process.send({ ready: true });
}

/**
 * A forked child and `ask(message)`: sends it and resolves the child's next message. A `shared` child keeps this
 * process alive only while a question is open (it must not outlive the run); it exits when this process goes.
 */
async function forkChild(shared) {
  const prof = process.env.PEER_FHIR_B2_SERVER_PROF;
  const child = fork(SELF, ['--child'], {
    execArgv: [...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []), '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = () =>
    new Promise((resolve, reject) => {
      const onExit = (code) => reject(new Error(`server process exited (${code})`));
      child.once('exit', onExit);
      child.once('message', (m) => {
        child.off('exit', onExit);
        resolve(m);
      });
    });
  if (shared) child.unref();
  const ask = async (message) => {
    if (shared) child.channel?.ref();
    try {
      const answer = next();
      if (message !== undefined) child.send(message);
      return await answer;
    } finally {
      if (shared) child.channel?.unref();
    }
  };
  await ask(undefined);
  return { child, ask };
}

const SHARED = process.argv.includes('--quick');
let shared;
// When the run is done, stop the shared child and wait for it (its CPU time then counts as this process's child's).
let stopping = false;
process.on('beforeExit', () => {
  if (!shared || stopping) return;
  stopping = true;
  void shared.then(({ child }) => {
    if (child.exitCode !== null || !child.connected) return;
    child.ref();
    child.send('exit');
  });
});

/**
 * Starts the embedded server (a fresh store) in a child process. Returns its `url`, `cpuMs()` (the child's process
 * CPU time so far) and `close()`. Servers are meant to be used one at a time.
 * @param {{ allowedHosts?: string[] }} options what `startFhirServer` is given
 */
export async function startServerProcess(options = {}) {
  const host = SHARED ? (shared ??= forkChild(true)) : forkChild(false);
  const { child, ask } = await host;
  const { id, url } = await ask({ start: options });
  return {
    url,
    async cpuMs() {
      return (await ask('cpu')).cpuMs;
    },
    async close() {
      await ask({ close: id });
      if (SHARED) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('exit');
      await exited;
    },
  };
}
