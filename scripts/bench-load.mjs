// The load run of scripts/bench: `wrk` (Debian's package, installed by scripts/setup) on loopback
// against the release API server, a bounded time per target, fixed connections:
//   GET /api/setup/account with a bearer token (auth lookup + SQLite read + envelope), and
//   GET /config.json (no database).
// Reports throughput, latency p50/p90/p99/max and errors (socket errors + non-2xx answers).
// The server runs with the per-organization rate limit raised out of the way (the run measures
// the server, not the limiter). Called by scripts/bench.mjs; also runs alone:
//   node scripts/bench-load.mjs      (merges its results into bench-results/bench.json)
// Knobs: BENCH_LOAD_SECONDS (10), BENCH_LOAD_CONNECTIONS (32), BENCH_LOAD_THREADS (2).
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { api, newUser, ROOT, signupViaApi, startServer } from '../tests/e2e/lib/server.mjs';

const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_LOAD_CONNECTIONS ?? 32);
const THREADS = Number(process.env.BENCH_LOAD_THREADS ?? 2);
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

/** Runs the load on a fresh server; returns the results (or why it was skipped). */
export async function loadRun() {
  const version = wrkVersion();
  if (!version) return { skipped: 'wrk is not installed (scripts/setup installs it)' };
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
    return { tool: `wrk ${version}`, threads: THREADS, connections: CONNECTIONS, secondsPerTarget: SECONDS, targets: results };
  } finally {
    await server.stop();
  }
}

export function printLoad(load) {
  if (load.skipped) {
    console.log(`\nLoad run skipped: ${load.skipped}`);
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
