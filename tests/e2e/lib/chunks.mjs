// Which split points a fetched file carries, read from the release build under test.
import fs from 'node:fs';
import path from 'node:path';
import { DIST } from './server.mjs';

/**
 * The prefetch packs of this build, as the console's loader declares them: pack name → the
 * screens whose code it carries (`follow("welcome_aws", "./pack_welcome_aws-<hash>.wasmpack",
 * "aws,dashboard", …)`, names kept by the minifier).
 */
function prefetchPacks() {
  const loader = fs.readdirSync(DIST).find((f) => /^onramp-chunks-[0-9a-f]{16}\.js$/.test(f));
  const js = fs.readFileSync(path.join(DIST, loader), 'utf8');
  const packs = {};
  for (const m of js.matchAll(/"(\w+)","\.\/pack_\1-[0-9a-f]{16}\.wasmpack","([\w,]+)"/g)) packs[m[1]] = m[2].split(',');
  return packs;
}
const PREFETCH = prefetchPacks();

/**
 * The split-point groups a file carries: a chunk's from its name (`split_finops-<hash>.wasm` →
 * `finops`); a pack's (`pack_finops-<hash>.wasmpack`: that chunk and the shared code it needs,
 * which a cold load takes in one request); a prefetch pack's screens.
 */
export function chunksOf(file) {
  const m = /\/(?:split_(.+)-[0-9a-f]{16}\.wasm|pack_(.+)-[0-9a-f]{16}\.wasmpack)$/.exec(file);
  if (!m) return [];
  const name = m[1] ?? m[2];
  return PREFETCH[name] ?? [name];
}

/** The wasm modules a page fetched: its bundle's main modules and its split-point chunks. */
export function modules(rows) {
  const wasm = rows.filter((r) => r.path.endsWith('.wasm') || r.path.endsWith('.wasmpack'));
  return {
    main: wasm.filter((r) => r.path.endsWith('_bg.wasm')).map((r) => r.path.replace(/-[0-9a-f]{16}_bg\.wasm$/, '')),
    chunks: wasm.flatMap((r) => chunksOf(r.path)),
    // Code shared by several split points lives in chunks of its own (`chunk_<n>…`).
    shared: wasm.filter((r) => !r.path.endsWith('_bg.wasm') && chunksOf(r.path).length === 0).map((r) => r.path),
    packs: wasm.filter((r) => r.path.endsWith('.wasmpack')).length,
  };
}
