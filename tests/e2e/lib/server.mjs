// Starts the release API server (which also serves dist/) on a free port with an in-memory database,
// and stops it by process group. Used by every spec and by scripts/bench.mjs.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const SERVER_BIN = process.env.ONRAMP_API_BIN ?? path.join(ROOT, 'target/release/onramp-api');
export const DIST = process.env.ONRAMP_E2E_DIST ?? path.join(ROOT, 'dist');
const READY = 'Onramp is running at ';

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Start `onramp-api --listen 127.0.0.1:<port> --db :memory: --dist dist`.
 * Resolves to { url, port, output(), stop() } once it printed "Onramp is running at ...".
 * The child gets its own process group (detached) and stop() signals the whole group.
 */
export async function startServer({ args = [], env = {}, timeoutMs = 20_000 } = {}) {
  for (const [what, p] of [['server binary', SERVER_BIN], ['dist/index.html', path.join(DIST, 'index.html')]]) {
    if (!existsSync(p)) {
      throw new Error(`${what} not found at ${p}: build first (scripts/test builds it; or scripts/run)`);
    }
  }
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await spawnServer(port, args, env, timeoutMs);
    } catch (e) {
      lastError = e;
      if (!/address already in use|AddrInUse|Address in use/i.test(String(e.message))) throw e;
    }
  }
  throw lastError;
}

function spawnServer(port, args, env, timeoutMs) {
  const listen = `127.0.0.1:${port}`;
  const child = spawn(SERVER_BIN, ['--listen', listen, '--db', ':memory:', '--dist', DIST, ...args], {
    cwd: ROOT,
    detached: true, // own process group: stop() kills the group
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn', ...env },
  });
  let out = '';
  let exited = null;
  const exitedP = new Promise((resolve) => child.once('exit', (code, signal) => {
    exited = { code, signal };
    resolve(exited);
  }));
  const stop = async () => {
    if (exited) return;
    try { process.kill(-child.pid, 'SIGTERM'); } catch { return; }
    const t = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 3000);
    await exitedP;
    clearTimeout(t);
  };
  // If the test process dies, do not leave the server behind.
  const onExit = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } };
  process.once('exit', onExit);

  return new Promise((resolve, reject) => {
    const timer = setTimeout(async () => {
      await stop();
      reject(new Error(`server did not print "${READY}" within ${timeoutMs} ms. Output:\n${out}`));
    }, timeoutMs);
    const onData = (chunk) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.includes(READY));
      if (line) {
        clearTimeout(timer);
        const printed = line.slice(line.indexOf(READY) + READY.length).trim();
        const url = `http://${listen}`;
        if (printed.replace(/\/$/, '') !== url) {
          out += `\n(note: server printed ${printed}, expected ${url}/)`;
        }
        resolve({
          url,
          port,
          pid: child.pid,
          output: () => out,
          stop: async () => { process.removeListener('exit', onExit); await stop(); },
        });
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', (c) => { out += c; });
    exitedP.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (code ${code}, signal ${signal}) before it was ready. Output:\n${out}`));
    });
  });
}

/** JSON request to the server; returns { status, headers, body } (body parsed when JSON). */
export async function api(server, method, route, { body, token } = {}) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(server.url + route, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed = text;
  try { parsed = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, body: parsed };
}

let counter = 0;
/** A fresh user (unique email) that passes every validation rule. */
export function newUser(overrides = {}) {
  counter += 1;
  const tag = `${Date.now().toString(36)}${process.pid.toString(36)}${counter}`;
  return {
    fullName: 'Ada Lovelace',
    company: `Analytical Engines ${tag}`,
    email: `ada.${tag}@example.com`,
    country: 'GB',
    countryName: 'United Kingdom',
    password: 'Difference-Engine-1',
    ...overrides,
  };
}

/** Sign up through the API; returns the session's access token. */
export async function signupViaApi(server, user) {
  const { fullName, company, email, country, password } = user;
  const res = await api(server, 'POST', '/api/auth/signup', { body: { fullName, company, email, country, password } });
  if (res.status !== 200) {
    throw new Error(`POST /api/auth/signup answered ${res.status}: ${JSON.stringify(res.body)}`);
  }
  const token = res.body?.response?.items?.[0]?.accessToken ?? res.body?.items?.[0]?.accessToken;
  if (!token) throw new Error(`no accessToken in sign-up answer: ${JSON.stringify(res.body)}`);
  return token;
}
