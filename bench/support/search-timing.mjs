// The searches `peer-fhir bill` sends, timed against a running server (issue 18, "B9: the server's searches" in
// docs/benchmarks.md): the month's Encounters (`service-provider` + a month's date range + `_sort=date`, pages of
// 1,000 followed by their `next` links) and the per-chunk searches of 50 participants. Per search: the wall time per
// page (median of R runs), the first and last page, and, with SERVER_PID, the server process's CPU per page (/proc).
//   node bench/support/search-timing.mjs <fhir-base-url> [label]
//   env: SERVER_PID=<pid of the server>  MONTHS=3,10 (months of 2025)  R=3 (runs)  ONLY=<regex of search names>
// The store is a B9 agency (bench/b9-year.mjs with PEER_FHIR_B9_DATA keeps one), served by `peer-fhir serve --data`.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

const [base, label = 'run'] = process.argv.slice(2);
if (!base) throw new Error('usage: node bench/support/search-timing.mjs <fhir-base-url> [label]');
const R = Number(process.env.R ?? 3);
const TICKS_PER_S = 100;
/** CPU ms (user + system) of the server process so far, 0 without SERVER_PID. */
const serverCpuMs = () => {
  if (!process.env.SERVER_PID) return 0;
  const fields = readFileSync(`/proc/${process.env.SERVER_PID}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_S;
};
const get = async (url) => {
  const res = await fetch(url, { headers: { accept: 'application/fhir+json' } });
  if (!res.ok) throw new Error(`${res.status} ${url.slice(0, 200)}`);
  return res.json();
};
const resources = async (q) => ((await get(`${base}/${q}`)).entry ?? []).map((e) => e.resource);

const [org] = await resources('Organization?_count=5');
const patients = await resources('Patient?_count=50');
const patientRefs = patients.map((p) => `Patient/${p.id}`).join(',');
const identifiers = patients.map((p) => `${p.identifier[0].system}|${p.identifier[0].value}`).join(',');
const encounters = await resources(`Encounter?subject=${patients.slice(0, 10).map((p) => `Patient/${p.id}`).join(',')}&_count=50`);
const encounterRefs = encounters.map((e) => `Encounter/${e.id}`).join(',');
/** A month of 2025 as bill searches it: a day wider on each side (packages/cli bill, month boundary). */
const month = (m) => [new Date(Date.UTC(2025, m - 1, 0)).toISOString().slice(0, 10), new Date(Date.UTC(2025, m, 1)).toISOString().slice(0, 10)];

const searches = {};
for (const m of (process.env.MONTHS ?? '3').split(',').map(Number)) {
  const [first, last] = month(m);
  searches[`month ${m}: Encounter?service-provider&date=ge&date=le&_sort=date`] = `Encounter?service-provider=Organization/${org.id}&date=ge${first}&date=le${last}&_sort=date&_count=1000`;
}
const [first, last] = month(3);
Object.assign(searches, {
  'Patient?identifier=<50>': `Patient?identifier=${encodeURIComponent(identifiers)}&_count=500`,
  'Coverage?beneficiary=<50>': `Coverage?beneficiary=${patientRefs}&_count=500`,
  'CarePlan?subject=<50>': `CarePlan?subject=${patientRefs}&_count=500`,
  'Consent?patient=<50>': `Consent?patient=${patientRefs}&_count=500`,
  'Provenance?target=<50>': `Provenance?target=${patientRefs}&_count=500`,
  'Claim?patient=<50>': `Claim?patient=${patientRefs}&_count=500`,
  'ServiceRequest?subject=<50>': `ServiceRequest?subject=${patientRefs}&_count=500`,
  'Encounter?subject=<50>&date=(month 3)&_sort=date': `Encounter?subject=${patientRefs}&date=ge${first}&date=le${last}&_sort=date&_count=1000`,
  'Encounter?part-of=<50>': `Encounter?part-of=${encounterRefs}&_count=500`,
  'Claim?encounter=<50>': `Claim?encounter=${encounterRefs}&_count=500`,
});

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const only = process.env.ONLY ? new RegExp(process.env.ONLY) : undefined;
console.log(`# ${label} ${new Date().toISOString()} load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
for (const [name, q] of Object.entries(searches)) {
  if (only && !only.test(name)) continue;
  const runs = [];
  let found = 0;
  const cpu0 = serverCpuMs();
  for (let i = 0; i < R; i++) {
    const times = [];
    found = 0;
    for (let url = `${base}/${q}`; url; ) {
      const t = performance.now();
      const bundle = await get(url);
      times.push(performance.now() - t);
      found += bundle.entry?.length ?? 0;
      url = bundle.link?.find((l) => l.relation === 'next')?.url;
    }
    runs.push(times);
  }
  const pages = runs[0].length;
  const perPage = median(runs.map((t) => t.reduce((s, x) => s + x, 0) / t.length));
  const cpu = process.env.SERVER_PID ? `\tserver CPU ${((serverCpuMs() - cpu0) / (R * pages)).toFixed(0)} ms/page` : '';
  console.log(`${label}\t${name}\t${found} found, ${pages} pages\t${perPage.toFixed(1)} ms/page (first ${median(runs.map((t) => t[0])).toFixed(1)}, last ${median(runs.map((t) => t.at(-1))).toFixed(1)})${cpu}`);
}
console.log(`# load after ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
