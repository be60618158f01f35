// The embedded FHIR server in a process of its own, as a FHIR server is in production: the client's CPU and the
// server's then run side by side (the machine has more than one core), and each is measured apart.
//
// As a child (`fork`ed by `startServerProcess`): starts `startFhirServer` with the options it is given, tells the
// parent its URL, answers `cpu` with its own process CPU time, and exits on `close`. `PEER_FHIR_B2_SERVER_PROF=DIR`
// writes a V8 CPU profile of the child to DIR (node `--cpu-prof`) for the server's side of a profile.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);

if (process.send && process.argv[2] === '--child') {
  const { startFhirServer } = await import('@peer-fhir/server');
  const server = await startFhirServer(JSON.parse(process.argv[3] ?? '{}'));
  process.on('message', async (m) => {
    if (m === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send({ cpuMs: (user + system) / 1000 });
    } else if (m === 'reset') {
      server.reset();
      process.send({ reset: true });
    } else if (m === 'close') {
      await server.close();
      process.disconnect();
      process.exit(0);
    }
  });
  process.send({ url: server.url });
}

/**
 * Starts the embedded server in a child process. Returns its `url`, `cpuMs()` (the child's process CPU time so far),
 * `reset()` (delete all data, the server keeps running) and `close()`.
 * @param {{ allowedHosts?: string[] }} options what `startFhirServer` is given
 */
export async function startServerProcess(options = {}) {
  const prof = process.env.PEER_FHIR_B2_SERVER_PROF;
  const child = fork(SELF, ['--child', JSON.stringify(options)], {
    execArgv: prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [],
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
  const { url } = await next();
  return {
    url,
    async cpuMs() {
      const answer = next();
      child.send('cpu');
      return (await answer).cpuMs;
    },
    async reset() {
      const answer = next();
      child.send('reset');
      await answer;
    },
    close: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.send('close');
      }),
  };
}
