// The load run of scripts/bench: `wrk` (Debian's package, installed by scripts/setup) on loopback
// against the release API server, a bounded time per target, fixed connections:
//   GET /api/setup/account with a bearer token (auth lookup + SQLite read + envelope), and
//   GET /config.json (no database).
// Reports throughput, latency p50/p90/p99/max and errors (socket errors + non-2xx answers).
// The server runs with the per-organization rate limit raised out of the way (the run measures
// the server, not the limiter).
// Then (no wrk needed) a burst of BENCH_BURST (100) simultaneous wrong sign-ins, each scenario on
// a fresh release server with its own flags: one email with the login throttle on (the default
// flags), and one email per sign-in with the throttle off (--login-attempts 0: every one reaches
// the password hash queue, the worst case for memory). While it runs, BENCH_BURST_PROBE_MS (50)
// after the burst was sent, an unrelated GET /api/setup/account (bearer) is timed. Reports the
// server's peak RSS (VmHWM of /proc/<pid>/status, and the largest VmRSS sampled every 5 ms), the
// probe's latency and how many sign-ins were still unanswered when it answered, and the
// sign-ins' statuses (401 checked, 429 throttled, 503 hash queue full). PASS/MISS: peak RSS
// ≤ 250 MB, probe ≤ 500 ms.
// Called by scripts/bench.mjs; also runs alone:
//   node scripts/bench-load.mjs      (merges its results into bench-results/bench.json)
// Alone it needs only the release server (cargo build --release -p onramp-api) and a dist/ with an
// index.html: ONRAMP_E2E_DIST=<dir> points elsewhere (the load targets do not fetch the app).
// Knobs: BENCH_LOAD_SECONDS (10), BENCH_LOAD_CONNECTIONS (32), BENCH_LOAD_THREADS (2),
// BENCH_BURST (100), BENCH_BURST_PROBE_MS (50).
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { api, newUser, ROOT, signupViaApi, startServer } from '../tests/e2e/lib/server.mjs';

const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_LOAD_CONNECTIONS ?? 32);
const THREADS = Number(process.env.BENCH_LOAD_THREADS ?? 2);
const BURST = Number(process.env.BENCH_BURST ?? 100);
const PROBE_AFTER_MS = Number(process.env.BENCH_BURST_PROBE_MS ?? 50);
// Targets of the burst.
const RSS_BUDGET_MB = 250;
const PROBE_BUDGET_MS = 500;
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bench-wrk.lua');
const OUT = path.join(ROOT, 'bench-results/bench.json');

function wrkVersion() {
  try {
    // wrk prints its version and usage, and exits 1, when given no URL.
    execFileSync('wrk', ['-v'], { stdio: 'pipe' });
  } catch (e) {
    const out = `${e.stdout ?? ''}${e.stderr ?? ''}`;
    const m = out.match(/wrk (\S+)/);
    if (m) return m[1];
  }
  return null;
}

function runWrk(url, token) {
  const args = ['-t', String(THREADS), '-c', String(CONNECTIONS), '-d', `${SECONDS}s`, '--timeout', '5s', '-s', SCRIPT, url];
  return new Promise((resolve, reject) => {
    execFile('wrk', args, {
      env: { ...process.env, ONRAMP_BENCH_TOKEN: token ?? '' },
      timeout: (SECONDS + 30) * 1000,
      maxBuffer: 1 << 20,
    }, (err, stdout, stderr) => {
      const line = stdout.split('\n').find((l) => l.startsWith('WRK_JSON '));
      if (!line) {
        reject(new Error(`wrk gave no result (${err?.message ?? 'no error'}):\n${stdout}\n${stderr}`));
        return;
      }
      resolve(JSON.parse(line.slice('WRK_JSON '.length)));
    });
  });
}

/** VmHWM and VmRSS of a process, in KB (null where /proc does not say). */
function memoryKb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => {
      const m = status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'));
      return m ? Number(m[1]) : null;
    };
    return { hwm: kb('VmHWM'), rss: kb('VmRSS') };
  } catch {
    return { hwm: null, rss: null };
  }
}

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/**
 * One burst scenario on a fresh server: BURST simultaneous wrong sign-ins (`emailOf(i)` is the
 * i-th one's email), the unrelated GET timed PROBE_AFTER_MS after they were sent.
 */
async function burstScenario({ name, args, emailOf }) {
  const server = await startServer({ args: ['--rate-limit', '1000000000', ...args] });
  try {
    const user = newUser();
    const token = await signupViaApi(server, user);
    const warm = await api(server, 'GET', '/api/setup/account', { token });
    if (warm.status !== 200) throw new Error(`GET /api/setup/account answered ${warm.status} before the burst`);
    const before = memoryKb(server.pid);
    let sampledPeak = before.rss ?? 0;
    const sampler = setInterval(() => {
      const { rss } = memoryKb(server.pid);
      if (rss != null && rss > sampledPeak) sampledPeak = rss;
    }, 5);

    const statuses = {};
    let unanswered = BURST;
    const started = performance.now();
    const burst = Array.from({ length: BURST }, (_, i) => api(server, 'POST', '/api/auth/token', {
      body: { email: emailOf(i, user.email), password: 'Wrong-password-1' },
    }).then((r) => r.status, (e) => `error: ${e.cause?.code ?? e.message}`).then((status) => {
      statuses[status] = (statuses[status] ?? 0) + 1;
      unanswered -= 1;
    }));
    await sleep(PROBE_AFTER_MS);
    const probeStart = performance.now();
    const probe = await api(server, 'GET', '/api/setup/account', { token });
    const probeMs = performance.now() - probeStart;
    const unansweredAtProbe = unanswered;
    await Promise.all(burst);
    const burstMs = performance.now() - started;
    clearInterval(sampler);
    const after = memoryKb(server.pid);
    if (after.rss != null && after.rss > sampledPeak) sampledPeak = after.rss;

    const peakMb = after.hwm == null ? null : after.hwm / 1024;
    return {
      scenario: name,
      serverArgs: args,
      signIns: BURST,
      statuses,
      burstMs,
      probe: { route: 'GET /api/setup/account', status: probe.status, sentAfterMs: PROBE_AFTER_MS, ms: probeMs, unansweredSignIns: unansweredAtProbe },
      rssBeforeMb: before.rss == null ? null : before.rss / 1024,
      peakRssMb: peakMb,
      peakRssSampledMb: sampledPeak / 1024,
      targets: [
        {
          name: `peak RSS ≤ ${RSS_BUDGET_MB} MB`,
          ok: peakMb != null && peakMb <= RSS_BUDGET_MB,
          detail: peakMb == null ? 'no /proc/<pid>/status' : `VmHWM ${peakMb.toFixed(1)} MB`,
        },
        {
          name: `unrelated GET answers within ${PROBE_BUDGET_MS} ms`,
          ok: probe.status === 200 && probeMs <= PROBE_BUDGET_MS,
          detail: `${probeMs.toFixed(1)} ms (status ${probe.status}, ${unansweredAtProbe} sign-ins still unanswered)`,
        },
      ],
    };
  } finally {
    await server.stop();
  }
}

/** The sign-in burst scenarios (no wrk needed). */
export async function signInBurstRun() {
  return [
    await burstScenario({
      name: `${BURST} wrong sign-ins, one email (default flags: login throttle on)`,
      args: [],
      emailOf: (_, email) => email,
    }),
    await burstScenario({
      name: `${BURST} wrong sign-ins, ${BURST} emails (--login-attempts 0: every one hashed or refused by the queue)`,
      args: ['--login-attempts', '0'],
      emailOf: (i) => `burst-${i}@example.com`,
    }),
  ];
}

/** Runs the load on a fresh server; returns the results (or why it was skipped). */
export async function loadRun() {
  const signInBursts = await signInBurstRun();
  const version = wrkVersion();
  if (!version) return { skipped: 'wrk is not installed (scripts/setup installs it)', signInBursts };
  const server = await startServer({ args: ['--rate-limit', '1000000000'] });
  try {
    const token = await signupViaApi(server, newUser());
    const targets = [
      { name: 'GET /api/setup/account (bearer token)', route: '/api/setup/account', token },
      { name: 'GET /config.json', route: '/config.json', token: null },
    ];
    const results = [];
    for (const t of targets) {
      const check = await api(server, 'GET', t.route, { token: t.token ?? undefined });
      if (check.status !== 200) throw new Error(`${t.name} answered ${check.status} before the run`);
      const r = await runWrk(server.url + t.route, t.token);
      const seconds = r.durationUs / 1e6;
      const socketErrors = r.errors.connect + r.errors.read + r.errors.write + r.errors.timeout;
      results.push({
        target: t.name,
        requests: r.requests,
        seconds,
        requestsPerSecond: r.requests / seconds,
        latencyMs: Object.fromEntries(Object.entries(r.latencyUs).map(([k, v]) => [k, v / 1000])),
        errors: socketErrors + r.errors.status,
        errorDetail: r.errors,
      });
    }
    return { tool: `wrk ${version}`, threads: THREADS, connections: CONNECTIONS, secondsPerTarget: SECONDS, targets: results, signInBursts };
  } finally {
    await server.stop();
  }
}

function printBursts(bursts) {
  if (!bursts?.length) return;
  console.log(`\nSign-in bursts on loopback (release server, fresh per scenario; an unrelated GET /api/setup/account `
    + `sent ${bursts[0].probe.sentAfterMs} ms into the burst)\n`);
  const rows = bursts.map((b) => [
    b.scenario, Object.entries(b.statuses).map(([k, v]) => `${v}×${k}`).join(' '), b.burstMs.toFixed(0),
    b.probe.ms.toFixed(1), b.probe.unansweredSignIns,
    b.rssBeforeMb == null ? 'n/a' : b.rssBeforeMb.toFixed(1),
    b.peakRssMb == null ? 'n/a' : b.peakRssMb.toFixed(1), b.peakRssSampledMb.toFixed(1),
  ]);
  const head = ['scenario', 'answers', 'burst ms', 'GET ms', 'unanswered', 'RSS before MB', 'VmHWM MB', 'sampled peak MB'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i <= 1 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  console.log('');
  for (const b of bursts) {
    for (const t of b.targets) console.log(`${t.ok ? 'PASS' : 'MISS'}  ${b.scenario}: ${t.name}: ${t.detail}`);
  }
}

export function printLoad(load) {
  if (load.skipped) {
    console.log(`\nLoad run skipped: ${load.skipped}`);
    printBursts(load.signInBursts);
    return;
  }
  console.log(`\nLoad on loopback (${load.tool}, ${load.threads} threads, ${load.connections} connections, `
    + `${load.secondsPerTarget} s per target, release server)\n`);
  const rows = load.targets.map((t) => [
    t.target, t.requests, t.requestsPerSecond.toFixed(0), t.latencyMs.p50.toFixed(2), t.latencyMs.p99.toFixed(2),
    t.latencyMs.max.toFixed(2), t.errors,
  ]);
  const head = ['target', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'errors'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  printBursts(load.signInBursts);
}

// Alone: run, print, and merge into bench-results/bench.json.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const load = await loadRun();
  printLoad(load);
  const previous = existsSync(OUT) ? JSON.parse(readFileSync(OUT, 'utf8')) : {};
  mkdirSync(path.dirname(OUT), { recursive: true });
  writeFileSync(OUT, `${JSON.stringify({ ...previous, load: { date: new Date().toISOString(), ...load } }, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(ROOT, OUT)}`);
}
