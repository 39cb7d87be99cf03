#!/usr/bin/env node
// Benchmarks the portal's hot endpoints with wrk and writes the results as JSON and as a
// markdown table. docs/BENCHMARKS.md describes the cases, the options and the targets.
//
//   node bench/run.mjs                 full run: 100,000 patients, 20 s per case
//   node bench/run.mjs --peer          the same, then the Express peer for the ratios
//   node bench/run.mjs --smoke         1,000 patients, 3 s per case; fails only on errors
//
// Every server it starts listens on 127.0.0.1 and is wrapped in `timeout`, so it stops by
// itself even when this script is killed.

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(benchDir, '..');
const luaDir = path.join(benchDir, 'lua');
const peerSource = path.resolve(root, '..', 'shared', 'peers', 'express-portal');

const ALL_CASES = ['hello', 'dashboard', 'search', 'appointment', 'login', 'dashboardUnderLogin'];

const usage = `Usage: node bench/run.mjs [options]
  --smoke              1,000 patients, 3 s per case, 1 s warm-up; results stay in the temporary folder
  --patients N         seeded patients (default 100000)
  --providers N        seeded providers (default 20)
  --duration S         seconds per measured case (default 20)
  --warmup S           seconds of warm-up before each case (default 5)
  --connections N      wrk connections per case (default 64)
  --tokens N           signed-in patients whose tokens the cases rotate through (default 200)
  --peer               also measure the Express peer copied from ../shared/peers/express-portal
  --db-cache DIR       reuse the seeded database in DIR, or seed it there when DIR is empty
  --peer-dir DIR       install the Express peer in DIR, or reuse its node_modules there
  --no-build           use target/release as it is
  --cases LIST         comma-separated subset of ${ALL_CASES.join(',')} (default all)
  --out DIR            folder for the result files (default bench/results)`;

const options = parseOptions(process.argv.slice(2));
const cores = os.availableParallelism();
const started = new Date();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-bench-'));
const children = new Set();
let failed = false;

process.on('exit', () => {
  for (const child of children) child.kill('SIGTERM');
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => process.exit(130));
}

try {
  await main();
} catch (error) {
  console.error(`bench: ${error.message}`);
  process.exitCode = 1;
}

async function main() {
  requireTool('wrk', 'install it with `apt-get install wrk`');
  if (!options.noBuild) {
    step('release build');
    run('cargo', ['build', '--release', '--locked', '-p', 'portal-server', '--bin', 'portal',
      '--example', 'hello'], { cwd: root, stdio: 'inherit' });
  }
  const portal = path.join(root, 'target', 'release', 'portal');
  const hello = path.join(root, 'target', 'release', 'examples', 'hello');

  const results = {
    command: `node bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim(),
    commit: gitCommit(),
    date: started.toISOString(),
    machine: machineDescription(),
    loadAverageAtStart: os.loadavg()[0],
    settings: { ...options, cases: [...options.cases], cores },
    hello: null,
    portal: null,
    peer: null,
  };

  results.hello = await measureHello(hello);
  results.portal = await measurePortal(portal);
  if (options.peer) {
    if (fs.existsSync(peerSource)) {
      results.peer = await measurePeer();
    } else {
      console.log(`\nbench: ${peerSource} is absent, so the Express peer is skipped`);
    }
  }
  results.loadAverageAtEnd = os.loadavg()[0];
  results.ratios = ratios(results);
  results.errors = totalErrors(results);

  const markdown = renderMarkdown(results);
  const outDir = options.smoke ? work : options.out;
  fs.mkdirSync(outDir, { recursive: true });
  const base = path.join(outDir, `${started.toISOString().slice(0, 10)}-${results.commit}`);
  fs.writeFileSync(`${base}.json`, `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(`${base}.md`, markdown);
  console.log(`\n${markdown}\nResults: ${base}.json and ${base}.md`);

  if (results.errors > 0 || failed) {
    console.error(`bench: ${results.errors} failed requests (non-2xx, socket errors or timeouts)`);
    process.exitCode = 1;
  } else if (!options.smoke) {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

// ---- the bare axum baseline

async function measureHello(binary) {
  if (!options.cases.has('hello')) return { cases: {} };
  step('bare axum handler');
  const server = await startServer(binary, [String(serverLifetime())], {}, /listening on (\S+)/);
  const result = await measureCase(server, 'hello', 'get.lua', []);
  stopServer(server);
  return { cases: { hello: result } };
}

// ---- the portal

async function measurePortal(binary) {
  const dataDir = path.join(work, 'portal');
  fs.mkdirSync(dataDir, { mode: 0o700 });
  const env = {
    PORTAL_DATABASE_URL: `sqlite://${path.join(dataDir, 'portal.db')}`,
    PORTAL_ENV: 'development',
    // The login case sends X-Forwarded-For, one address per account (see lua/login.lua).
    PORTAL_TRUSTED_PROXIES: '127.0.0.1',
  };
  const seed = seedPortal(binary, dataDir, env);

  step('portal: start');
  const server = await startServer(binary, ['serve', '--bind', '127.0.0.1:0'], env,
    /Portal listening on (\S+)/);
  const readyMs = await waitForReady(server, '/readyz');
  console.log(`ready after ${readyMs} ms`);

  step(`portal: sign in ${options.tokens} patients and ${options.providers} providers`);
  const patients = range(1, options.tokens + 1).map((n) => ({
    email: `patient${n}@demo.portal.test`,
    password: seed.password,
  }));
  const providers = range(0, options.providers).map((n) => ({
    email: n === 0 ? 'provider@demo.portal.test' : `provider${n}@demo.portal.test`,
    password: n === 0 ? 'demo-provider-2026' : seed.password,
  }));
  const patientSessions = await signIn(server, patients);
  const providerSessions = await signIn(server, providers);
  const files = writeCaseFiles('portal', patients, patientSessions, providerSessions);
  const prefixes = 'av,bo,ca,da,el,fe,ga,ho,in,jo,ka,lo,ma,ni,od,pa,qu,ra,sa,ta,as,br,du,ha,me';

  const cases = {};
  let auditBefore = null;
  let auditAfter = null;
  if (options.cases.has('dashboard')) {
    cases.dashboard = await measureCase(server, 'dashboard', 'dashboard.lua', [files.patients], {
      beforeMeasured: () => { auditBefore = auditSequence(binary, env); },
      afterMeasured: () => { auditAfter = auditSequence(binary, env); },
    });
  }
  await measureRest(server, cases, files, providerSessions, prefixes);
  stopServer(server);

  return {
    seedSeconds: seed.seconds,
    dbBytesPer1000Patients: Math.round(seed.bytes / (options.patients / 1000)),
    readyMs,
    peakRssMb: Math.max(0, ...Object.values(cases).map((c) => c.peakRssMb)),
    auditEventsPerSecond: auditAfter === null || auditBefore === null ? null
      : Math.round((auditAfter - auditBefore) / (cases.dashboard.durationUs / 1e6)),
    auditEventsDuringDashboard: auditAfter === null || auditBefore === null ? null
      : auditAfter - auditBefore,
    loginsPerSecondPerCore: cases.login ? round(cases.login.throughput / cores, 1) : null,
    cases,
  };
}

// Seeds the database, or copies it from --db-cache. Returns the seed time, the database size
// after the seed command's closing checkpoint, and the shared password of the seeded accounts.
function seedPortal(binary, dataDir, env) {
  const cache = options.dbCache;
  const cacheInfo = cache && path.join(cache, 'seed.json');
  if (cacheInfo && fs.existsSync(cacheInfo)) {
    const info = JSON.parse(fs.readFileSync(cacheInfo, 'utf8'));
    if (info.patients !== options.patients || info.providers !== options.providers) {
      throw new Error(`${cache} contains ${info.patients} patients and ${info.providers} providers; ` +
        'pass the same --patients and --providers or another --db-cache folder');
    }
    step(`portal: copy the seeded database from ${cache}`);
    fs.cpSync(path.join(cache, 'portal'), dataDir, { recursive: true });
    return info;
  }

  step(`portal: seed ${options.patients} patients`);
  const password = randomBytes(18).toString('base64url');
  const startedAt = performance.now();
  run(binary, ['seed', '--patients', String(options.patients), '--providers',
    String(options.providers)], { env: { ...process.env, ...env, PORTAL_SEED_BENCH_PASSWORD: password } });
  const seconds = round((performance.now() - startedAt) / 1000, 1);
  const bytes = fileSize(path.join(dataDir, 'portal.db')) +
    fileSize(path.join(dataDir, 'portal.db-wal'));
  console.log(`seeded in ${seconds} s; database ${bytes} bytes`);
  const info = { patients: options.patients, providers: options.providers, seconds, bytes, password };
  if (cache) {
    fs.mkdirSync(cache, { recursive: true, mode: 0o700 });
    fs.cpSync(dataDir, path.join(cache, 'portal'), { recursive: true });
    fs.writeFileSync(cacheInfo, JSON.stringify(info), { mode: 0o600 });
  }
  return info;
}

// Returns the sequence number of the last audit event, from `portal audit verify`.
function auditSequence(binary, env) {
  const output = run(binary, ['audit', 'verify'], { env: { ...process.env, ...env } });
  const match = /Last event: (\d+)/.exec(output);
  if (!match) {
    console.log('bench: `portal audit verify` printed no last event; audit rate not measured');
    return null;
  }
  return Number(match[1]);
}

// ---- the Express peer

async function measurePeer() {
  const peerDir = options.peerDir ?? path.join(work, 'express-portal');
  step(`Express peer: copy to ${peerDir} and install`);
  fs.cpSync(peerSource, peerDir, { recursive: true });
  if (!fs.existsSync(path.join(peerDir, 'node_modules'))) {
    run('npm', ['install', '--no-audit', '--no-fund'], { cwd: peerDir, stdio: 'inherit' });
  }
  const db = path.join(work, 'peer.db');

  step(`Express peer: seed ${options.patients} patients`);
  const env = { PATIENTS: String(options.patients), DB: db, WORKERS: String(cores) };
  const startedAt = performance.now();
  run('node', ['seed.js'], { cwd: peerDir, env: { ...process.env, ...env } });
  const seedSeconds = round((performance.now() - startedAt) / 1000, 1);
  const bytes = fileSize(db) + fileSize(`${db}-wal`);

  step('Express peer: start');
  const port = await freePort();
  const server = await startServer('node', ['server.js'], { ...env, PORT: String(port) }, null,
    { cwd: peerDir, url: `http://127.0.0.1:${port}` });
  const readyMs = await waitForReady(server, '/api/v1/provider/patients', true);

  // The peer's seed hashes the passwords of its first 200 patients only.
  const tokenCount = Math.min(options.tokens, 200, options.patients);
  step(`Express peer: sign in ${tokenCount} patients and 20 providers`);
  const patients = range(0, tokenCount).map((n) => ({
    email: `patient${n}@peer.test`,
    password: `peer-password-${n}`,
  }));
  const providers = range(0, 20).map((n) => ({
    email: `provider${n}@peer.test`,
    password: `peer-password-p${n}`,
  }));
  const patientSessions = await signIn(server, patients);
  const providerSessions = await signIn(server, providers);
  const files = writeCaseFiles('peer', patients, patientSessions, providerSessions);
  const prefixes = 'an,be,ch,de,el,fe,gu,ha,iv,ja,ka,le,mi,ni,om,ab,br,ca,du,ek,fa,ga,is,ko,mo';

  const cases = {};
  if (options.cases.has('dashboard')) {
    cases.dashboard = await measureCase(server, 'dashboard', 'dashboard.lua', [files.patients]);
  }
  await measureRest(server, cases, files, providerSessions, prefixes);
  stopServer(server);

  return {
    seedSeconds,
    dbBytesPer1000Patients: Math.round(bytes / (options.patients / 1000)),
    readyMs,
    peakRssMb: Math.max(0, ...Object.values(cases).map((c) => c.peakRssMb)),
    loginsPerSecondPerCore: cases.login ? round(cases.login.throughput / cores, 1) : null,
    cases,
  };
}

// ---- wrk cases

// Measures the selected cases after the dashboard, in the same order for both servers.
async function measureRest(server, cases, files, providerSessions, prefixes) {
  if (options.cases.has('search')) {
    cases.search = await measureCase(server, 'search', 'search.lua', [files.providers, prefixes]);
  }
  if (options.cases.has('appointment')) {
    cases.appointment = await measureCase(server, 'appointment', 'appointment.lua',
      [files.patients, providerSessions[0].user.id, appointmentStart()]);
  }
  if (options.cases.has('login')) {
    cases.login = await measureCase(server, 'login', 'login.lua', [files.logins]);
  }
  if (options.cases.has('dashboardUnderLogin')) {
    cases.dashboardUnderLogin = await measureUnderLogin(server, files);
  }
}

// Runs a warm-up and then the measured wrk run of one case, and reads the server's peak RSS.
async function measureCase(server, name, script, args, hooks = {}) {
  const url = `${server.url}${hooks.path ?? '/'}`;
  const conns = options.connections;
  console.log(`\n${server.label} ${name}: ${options.warmup} s warm-up, ${options.duration} s measured`);
  await wrk(url, script, args, options.warmup, conns);
  hooks.beforeMeasured?.();
  const loadAverage = os.loadavg()[0];
  const result = await wrk(url, script, args, options.duration, conns);
  result.loadAverageAtStart = loadAverage;
  hooks.afterMeasured?.();
  result.peakRssMb = peakRssMb(server);
  printCase(server, name, result);
  return result;
}

// Measures the dashboard while a second wrk keeps the login endpoint (and so the password
// hashing) saturated.
async function measureUnderLogin(server, files) {
  const name = 'dashboard during logins';
  const loginConnections = 16;
  console.log(`\n${server.label} ${name}: ${loginConnections} login connections beside ` +
    `${options.connections} dashboard connections`);
  const url = `${server.url}/`;
  const loginWarmup = wrk(url, 'login.lua', [files.logins], options.warmup, loginConnections);
  await wrk(url, 'dashboard.lua', [files.patients], options.warmup, options.connections);
  await loginWarmup;
  const logins = wrk(url, 'login.lua', [files.logins], options.duration + 1, loginConnections);
  const dashboard = await wrk(url, 'dashboard.lua', [files.patients], options.duration,
    options.connections);
  const login = await logins;
  dashboard.peakRssMb = peakRssMb(server);
  dashboard.concurrentLogins = {
    throughput: login.throughput,
    errors: login.errors,
    p99Ms: login.p99Ms,
  };
  printCase(server, name, dashboard);
  console.log(`  logins meanwhile: ${login.throughput}/s, ${login.errors} errors`);
  return dashboard;
}

function wrk(url, script, args, seconds, connections) {
  const wrkArgs = ['-t', String(Math.min(cores, connections)), '-c', String(connections),
    '-d', `${seconds}s`, '--timeout', '10s', '-s', script, url];
  if (args.length > 0) wrkArgs.push('--', ...args);
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', wrkArgs, { cwd: luaDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = output.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      if (code !== 0 || !line) {
        reject(new Error(`wrk ${script} failed (exit ${code}):\n${output}`));
        return;
      }
      const raw = JSON.parse(line.slice('BENCH_RESULT '.length));
      const errors = raw.connect_errors + raw.read_errors + raw.write_errors +
        raw.status_errors + raw.timeouts;
      resolve({
        requests: raw.requests,
        durationUs: raw.duration_us,
        throughput: Math.round(raw.requests / (raw.duration_us / 1e6)),
        meanMs: round(raw.mean_us / 1000, 2),
        p50Ms: round(raw.p50_us / 1000, 2),
        p99Ms: round(raw.p99_us / 1000, 2),
        p999Ms: round(raw.p999_us / 1000, 2),
        maxMs: round(raw.max_us / 1000, 2),
        errors,
        errorDetail: {
          connect: raw.connect_errors,
          read: raw.read_errors,
          write: raw.write_errors,
          status: raw.status_errors,
          timeout: raw.timeouts,
        },
      });
    });
  });
}

// ---- servers

async function startServer(command, args, env, listeningPattern, { cwd, url } = {}) {
  const logPath = path.join(work, `${path.basename(command)}-${children.size}.log`);
  const log = fs.openSync(logPath, 'w');
  const startedAt = performance.now();
  const child = spawn('timeout', ['--signal=TERM', String(serverLifetime()), command, ...args], {
    cwd: cwd ?? work,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', log],
  });
  children.add(child);
  const server = { child, startedAt, logPath, label: path.basename(command), url };
  if (listeningPattern) {
    server.url = await new Promise((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`no address from ${command}; see ${logPath}`)),
        120_000);
      child.stdout.on('data', (chunk) => {
        output += chunk;
        const match = listeningPattern.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.on('exit', (code) => reject(new Error(`${command} exited with ${code}; see ${logPath}`)));
    });
  }
  child.stdout.resume();
  if (command === 'node') server.label = 'peer';
  if (command.endsWith('portal')) server.label = 'portal';
  return server;
}

// Polls until the server responds with 200 (or any status when `anyStatus`), and returns the
// milliseconds since spawn.
async function waitForReady(server, urlPath, anyStatus = false) {
  const deadline = server.startedAt + 120_000;
  while (performance.now() < deadline) {
    try {
      const response = await fetch(`${server.url}${urlPath}`);
      await response.arrayBuffer();
      if (response.status === 200 || anyStatus) {
        return Math.round(performance.now() - server.startedAt);
      }
    } catch {
      // Not listening yet.
    }
    await sleep(5);
  }
  throw new Error(`${server.label} not ready after 120 s; see ${server.logPath}`);
}

function stopServer(server) {
  server.child.kill('SIGTERM');
  children.delete(server.child);
}

// Returns the peak resident set size, in MB, of the server process and its children (the
// peer's cluster workers); `timeout` itself is not counted.
function peakRssMb(server) {
  let kib = 0;
  for (const pid of descendants(server.child.pid)) {
    const status = readIfExists(`/proc/${pid}/status`);
    const match = status && /VmHWM:\s+(\d+) kB/.exec(status);
    if (match) kib += Number(match[1]);
  }
  return round(kib / 1024, 1);
}

function descendants(pid) {
  const found = [];
  const children = (readIfExists(`/proc/${pid}/task/${pid}/children`) ?? '').trim();
  for (const child of children.split(/\s+/).filter(Boolean)) {
    found.push(Number(child), ...descendants(Number(child)));
  }
  return found;
}

// ---- sessions

// Signs the accounts in, four at a time, and returns the sessions in the same order.
async function signIn(server, accounts) {
  const sessions = new Array(accounts.length);
  let next = 0;
  async function worker() {
    while (next < accounts.length) {
      const index = next++;
      const response = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(accounts[index]),
      });
      if (response.status !== 200) {
        throw new Error(`sign-in of ${accounts[index].email} failed with ${response.status}`);
      }
      sessions[index] = await response.json();
    }
  }
  await Promise.all(range(0, 4).map(worker));
  return sessions;
}

function writeCaseFiles(label, patients, patientSessions, providerSessions) {
  const files = {
    patients: path.join(work, `${label}-patient-tokens.txt`),
    providers: path.join(work, `${label}-provider-tokens.txt`),
    logins: path.join(work, `${label}-logins.txt`),
  };
  const write = (file, lines) => fs.writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  write(files.patients, patientSessions.map((s) => s.accessToken));
  write(files.providers, providerSessions.map((s) => s.accessToken));
  write(files.logins, patients.map((p) => `${p.email} ${p.password}`));
  return files;
}

// ---- results

function ratios(results) {
  const portal = results.portal.cases;
  const ratio = (a, b) => (a && b ? round(a / b, 2) : null);
  const out = {
    dashboardToHello: ratio(portal.dashboard?.throughput, results.hello.cases.hello?.throughput),
  };
  if (results.peer) {
    const peer = results.peer.cases;
    out.dashboardToPeer = ratio(portal.dashboard?.throughput, peer.dashboard?.throughput);
    out.searchToPeer = ratio(portal.search?.throughput, peer.search?.throughput);
    out.appointmentToPeer = ratio(portal.appointment?.throughput, peer.appointment?.throughput);
    out.loginToPeer = ratio(portal.login?.throughput, peer.login?.throughput);
  }
  return out;
}

// Counts the failed requests of the portal and the axum baseline. The peer's are reported in
// its rows but do not fail the run, since the portal is what the benchmark checks.
function totalErrors(results) {
  let total = 0;
  for (const side of [results.hello, results.portal]) {
    for (const result of Object.values(side?.cases ?? {})) {
      total += result.errors + (result.concurrentLogins?.errors ?? 0);
    }
  }
  return total;
}

function renderMarkdown(results) {
  const names = {
    hello: 'bare axum hello',
    dashboard: 'GET /patient/dashboard',
    search: 'GET /provider/patients?q=&limit=25',
    appointment: 'POST /patient/appointments',
    login: 'POST /auth/login',
    dashboardUnderLogin: 'dashboard during logins',
  };
  const lines = [
    `Command: \`${results.command}\`  `,
    `Commit: ${results.commit}, date: ${results.date}  `,
    `Machine: ${results.machine}; load average ${results.loadAverageAtStart.toFixed(2)} at start, ` +
      `${results.loadAverageAtEnd.toFixed(2)} at end  `,
    `Data: ${options.patients} patients, ${options.providers} providers; ` +
      `${options.connections} connections, ${options.duration} s per case after ` +
      `${options.warmup} s warm-up; ${options.tokens} patients' tokens`,
    '',
    '| server | case | req/s | p50 ms | p99 ms | p99.9 ms | errors | peak RSS MB |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];

  for (const [label, side] of [['axum', results.hello], ['portal', results.portal],
    ['Express peer', results.peer]]) {
    for (const [key, measured] of Object.entries(side?.cases ?? {})) {
      lines.push(`| ${label} | ${names[key]} | ${measured.throughput} | ${measured.p50Ms} | ` +
        `${measured.p99Ms} | ${measured.p999Ms} | ${measured.errors} | ${measured.peakRssMb} |`);
    }
  }

  lines.push('', '| measure | portal | Express peer |', '|---|---:|---:|');
  const peer = results.peer ?? {};
  const portal = results.portal;
  lines.push(`| seed time, s | ${portal.seedSeconds} | ${peer.seedSeconds ?? '-'} |`);
  lines.push(`| database bytes per 1,000 patients | ${portal.dbBytesPer1000Patients} | ` +
    `${peer.dbBytesPer1000Patients ?? '-'} |`);
  lines.push(`| time from start to ready, ms | ${portal.readyMs} | ${peer.readyMs ?? '-'} |`);
  lines.push(`| peak RSS, MB | ${portal.peakRssMb} | ${peer.peakRssMb ?? '-'} |`);
  lines.push(`| logins per second per core | ${portal.loginsPerSecondPerCore ?? '-'} | ` +
    `${peer.loginsPerSecondPerCore ?? '-'} |`);
  lines.push(`| logins per second during the last case | ` +
    `${portal.cases.dashboardUnderLogin?.concurrentLogins.throughput ?? '-'} | ` +
    `${peer.cases?.dashboardUnderLogin?.concurrentLogins.throughput ?? '-'} |`);
  lines.push(`| audit events per second, dashboard case | ${portal.auditEventsPerSecond ?? '-'} | - |`);

  lines.push('', '| ratio | value |', '|---|---:|');
  for (const [key, value] of Object.entries(results.ratios)) {
    lines.push(`| ${key} | ${value ?? '-'} |`);
  }
  return `${lines.join('\n')}\n`;
}

// Prints one case. Failed requests fail the run, except the peer's, which only its rows report.
function printCase(server, name, r) {
  console.log(`  ${name}: ${r.throughput} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, ` +
    `p99.9 ${r.p999Ms} ms, ${r.errors} errors, peak RSS ${r.peakRssMb} MB`);
  if (r.errors > 0) {
    console.error(`  errors: ${JSON.stringify(r.errorDetail)}`);
    if (server.label !== 'peer') failed = true;
  }
}

// ---- helpers

function parseOptions(argv) {
  const parsed = {
    smoke: false, patients: 100_000, providers: 20, duration: 20, warmup: 5, connections: 64,
    tokens: 200, peer: false, dbCache: null, peerDir: null, noBuild: false,
    cases: new Set(ALL_CASES),
    out: path.join(benchDir, 'results'),
  };
  const numbers = { '--patients': 'patients', '--providers': 'providers', '--duration': 'duration',
    '--warmup': 'warmup', '--connections': 'connections', '--tokens': 'tokens' };
  const explicit = new Set();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--smoke') parsed.smoke = true;
    else if (arg === '--peer') parsed.peer = true;
    else if (arg === '--no-build') parsed.noBuild = true;
    else if (arg === '--db-cache') parsed.dbCache = path.resolve(argv[++i] ?? '');
    else if (arg === '--out') parsed.out = path.resolve(argv[++i] ?? '');
    else if (arg === '--peer-dir') parsed.peerDir = path.resolve(argv[++i] ?? '');
    else if (arg === '--cases') {
      parsed.cases = new Set((argv[++i] ?? '').split(',').filter(Boolean));
      const unknown = [...parsed.cases].filter((name) => !ALL_CASES.includes(name));
      if (unknown.length > 0 || parsed.cases.size === 0) {
        fail(`--cases expects names from ${ALL_CASES.join(',')}`);
      }
    }
    else if (numbers[arg]) {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < 1) {
        fail(`${arg} expects a whole number of at least 1`);
      }
      parsed[numbers[arg]] = value;
      explicit.add(numbers[arg]);
    } else if (arg === '--help' || arg === '-h') {
      console.log(usage);
      process.exit(0);
    } else {
      fail(`unknown option ${arg}`);
    }
  }
  if (parsed.smoke) {
    for (const [key, value] of [['patients', 1000], ['duration', 3], ['warmup', 1]]) {
      if (!explicit.has(key)) parsed[key] = value;
    }
  }
  if (parsed.tokens > parsed.patients - 1) parsed.tokens = parsed.patients - 1;
  if (parsed.tokens < 1) fail('--patients must be at least 2, so one seeded patient can sign in');
  return parsed;
}

function fail(message) {
  console.error(`bench: ${message}\n${usage}`);
  process.exit(2);
}

function run(command, args, { cwd = root, env = process.env, stdio = 'pipe' } = {}) {
  const result = spawnSync(command, args, { cwd, env, stdio, encoding: 'utf8' });
  if (result.error) throw new Error(`${command} failed to start: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status}:\n` +
      `${result.stdout ?? ''}${result.stderr ?? ''}`);
  }
  return result.stdout ?? '';
}

function requireTool(command, hint) {
  const result = spawnSync('sh', ['-c', `command -v ${command}`]);
  if (result.status !== 0) throw new Error(`${command} not found; ${hint}`);
}

function step(text) {
  console.log(`\n==> ${text}`);
}

// Seconds after which `timeout` stops a server that this script failed to stop.
function serverLifetime() {
  return 600 + 12 * (options.duration + options.warmup + 2);
}

function appointmentStart() {
  const start = new Date(Date.now() + 30 * 86_400_000);
  start.setUTCHours(15, 0, 0, 0);
  return start.toISOString();
}

function gitCommit() {
  const result = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  const commit = result.status === 0 ? result.stdout.trim() : 'unknown';
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'],
    { cwd: root, encoding: 'utf8' });
  return dirty.stdout?.trim() ? `${commit}-dirty` : commit;
}

function machineDescription() {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const memoryGb = round(os.totalmem() / 2 ** 30, 1);
  return `${cores} cores (${cpu}), ${memoryGb} GB, ${os.type()} ${os.release()}`;
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function fileSize(file) {
  return fs.existsSync(file) ? fs.statSync(file).size : 0;
}

function readIfExists(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function range(from, to) {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

function round(value, digits) {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
