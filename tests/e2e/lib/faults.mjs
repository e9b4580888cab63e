// Live fault injection on a server started with `--fault-control` (docs/contracts.md, "Fault
// injection"): POST /api/_faults changes the knobs; every POST restarts the every-Nth count and,
// with `seed`, reseeds the fault RNG.
import { api, startServer } from './server.mjs';

/** Every knob off. */
export const NO_FAULTS = Object.freeze({
  latencyMs: 0,
  errorRate: 0,
  rateLimitEvery: 0,
  resetSecs: 2,
  dropRate: 0,
  malformedRate: 0,
  loseAfterWriteRate: 0,
  only: null,
  sessionIdleSecs: null,
  connectTokenTtlSecs: null,
  batchTokenTtlSecs: null,
  azureRoleMissing: [],
});

/** A server (in-memory database) whose faults the test can change while it runs. */
export function startFaultServer({ args = [], env = {} } = {}) {
  return startServer({ args: ['--fault-control', '--fault-seed', '1', ...args], env });
}

/** Sets the given knobs (the others are reset to off); returns the knobs the server now has. */
export async function setFaults(server, knobs = {}) {
  const res = await api(server, 'POST', '/api/_faults', { body: { ...NO_FAULTS, ...knobs } });
  if (res.status !== 200) {
    throw new Error(`POST /api/_faults answered ${res.status}: ${JSON.stringify(res.body)}`);
  }
  return res.body?.response?.items?.[0];
}

export function clearFaults(server) {
  return setFaults(server);
}

/** Whether a fault fired on one answer: a 500, a dropped connection or an unreadable 200. */
async function probe(server, method, route) {
  try {
    const res = await fetch(server.url + route, { method, headers: { accept: 'application/json' } });
    const text = await res.text();
    if (res.status === 500) return true;
    if (res.status === 200) {
      try { JSON.parse(text); } catch { return true; }
    }
    return false;
  } catch {
    return true; // no answer: the connection was dropped
  }
}

/**
 * Finds a seed for which `knobs` (a rate between 0 and 1, limited to `route` with `only`) make the
 * first requests to `route` meet exactly the faults in `pattern` (e.g. [true, false]: the first
 * fails, the next passes), then arms the server with that seed, so the app's own requests meet
 * the same sequence. Probes are plain requests without a token.
 */
export async function armSequence(server, knobs, route, pattern, { method = 'GET', tries = 200 } = {}) {
  const only = route.split('?')[0];
  for (let seed = 1; seed <= tries; seed++) {
    await setFaults(server, { ...knobs, only, seed });
    const got = [];
    for (let i = 0; i < pattern.length; i++) got.push(await probe(server, method, route));
    if (got.every((g, i) => g === pattern[i])) {
      await setFaults(server, { ...knobs, only, seed });
      return seed;
    }
  }
  throw new Error(`no seed in 1..${tries} gives ${JSON.stringify(pattern)} for ${JSON.stringify(knobs)}`);
}
