#!/usr/bin/env python3
"""pack_chunks.py LOADER OUTDIR: one file per screen for cold loads.

wasm-split puts the code that several screens share into shared chunks, one per combination of
screens: a console screen needs its own chunk plus up to ~170 small shared ones, each a request
of its own with its own headers and its own (small, so weaker) compression. This writes, for
every screen, a *pack*: its chunk and the shared chunks it needs, end to end, in OUTDIR as
`pack_<screen>-<hash>.wasmpack`, and rewrites the loader (the JavaScript wasm-split-cli wrote,
whose chunk names are already content-hashed) so that a screen whose chunks have none of them
been fetched yet takes its pack in one request, and otherwise fetches only the chunks it lacks.
Nothing is fetched twice either way.
"""

import hashlib
import re
import sys
from pathlib import Path

CHUNK = re.compile(
    r'const __chunk_(\d+) = makeLoad\(\(\) => \{\s*const src = fetch\(new URL\("\./([^"]+)", import\.meta\.url\)\);'
    r'.*?\n\}\n, \[\]\);',
    re.S,
)
COMMENT = re.compile(r"^/\* [^\n]* \*/\n", re.M)
SCREEN = re.compile(
    r'export const __wasm_split_load_(\w+) = wrapAsyncCb\(makeLoad\(\(\) => \{\s*'
    r'const src = fetch\(new URL\("\./([^"]+)", import\.meta\.url\)\);.*?\n\}\n, \[([^\]]*)\]\)\);',
    re.S,
)

RUNTIME = """
// Packs (scripts/pack_chunks.py): a screen's chunk and the shared chunks it needs, in one file.
// A screen none of whose chunks has been fetched yet (a cold load) takes its pack; otherwise
// each missing chunk is fetched alone. A part of a pack serves one request: one that failed is
// fetched again next time, so Try again asks again. Parts are keyed by chunk number, or by
// screen name for a screen's own chunk.
const requested = new Set();
const fromPack = new Map();
const packs = new Map();
function fetchPart(key, file) {
    requested.add(key);
    const part = fromPack.get(key);
    if (part === undefined) return fetch(new URL(file, import.meta.url));
    fromPack.delete(key);
    part.catch(() => requested.delete(key));
    return part;
}
function fetchPack(screen) {
    const { pack, parts } = packs.get(screen);
    if (parts.some(([key]) => requested.has(key) || fromPack.has(key))) return;
    const bytes = fetch(new URL(pack, import.meta.url)).then((r) => {
        if (!r.ok) throw new Error(`${pack}: HTTP ${r.status}`);
        return r.arrayBuffer();
    });
    let start = 0;
    for (const [key, length] of parts) {
        const at = start;
        start += length;
        const part = bytes.then((b) => {
            if (b.byteLength !== start) throw new Error(`${pack}: cut short`);
            return new Response(new Uint8Array(b, at, length), { headers: { 'Content-Type': 'application/wasm' } });
        });
        part.catch(() => {});
        fromPack.set(key, part);
    }
}
function instantiate(key, file) {
    return () => {
        const src = fetchPart(key, file);
        src.catch(() => {});
        return async (imports) => WebAssembly.instantiateStreaming(src, imports);
    };
}
// A shared chunk's loader, by number.
const chunkLoads = new Map();
function chunk(key, file) {
    const load = makeLoad(instantiate(key, file), []);
    chunkLoads.set(key, load);
    return load;
}
// A screen's loader: its chunk after the shared ones it needs (`shared`: number, length, ...).
function screen(name, file, pack, length, shared) {
    const deps = [];
    const parts = [[name, length]];
    for (let i = 0; i < shared.length; i += 2) {
        deps.push(chunkLoads.get(shared[i]));
        parts.push([shared[i], shared[i + 1]]);
    }
    packs.set(name, { pack, parts });
    const load = makeLoad(instantiate(name, file), deps);
    return wrapAsyncCb(() => {
        fetchPack(name);
        return load();
    });
}
// The app asks for its first screen's pack as it starts, before it has its config or draws
// anything (`platform::lazy::fetch_pack`), so the code is on its way meanwhile.
globalThis.__onrampFetchPack = (screen) => {
    if (packs.has(screen)) fetchPack(screen);
};
"""


def main(loader_path: str, outdir: str) -> None:
    loader = Path(loader_path)
    out = Path(outdir)
    js = loader.read_text()
    chunks = dict(CHUNK.findall(js))
    screens = SCREEN.findall(js)
    if not chunks or not screens:
        sys.exit(f"pack_chunks: {loader} is not a loader this script knows")
    packs = {}
    for name, file, deps in screens:
        shared = [d.strip().removeprefix("__chunk_") for d in deps.split(",") if d.strip()]
        data = (out / file).read_bytes()
        table = []
        for n in shared:
            b = (out / chunks[n]).read_bytes()
            table += [n, str(len(b))]
            data += b
        pack = f"pack_{name}-{hashlib.sha256(data).hexdigest()[:16]}.wasmpack"
        (out / pack).write_bytes(data)
        own = (out / file).stat().st_size
        packs[name] = f'"{name}", "./{file}", "./{pack}", {own}, [{", ".join(table)}]'

    # The loader's header (shared imports, callbacks, makeLoad) stays; each chunk and screen
    # becomes one line. The comments naming the screens that share each chunk go: every
    # visitor would download them.
    js = CHUNK.sub(lambda m: f'const __chunk_{m.group(1)} = chunk({m.group(1)}, "./{m.group(2)}");', js)
    js = SCREEN.sub(lambda m: f"export const __wasm_split_load_{m.group(1)} = screen({packs[m.group(1)]});", js)
    js = COMMENT.sub("", js)
    if js.count("makeLoad(") != 1 or "fetch(new URL(" in js.split("function makeLoad")[1]:
        sys.exit("pack_chunks: the loader has a part this script does not know")
    anchor = js.index("\nconst __chunk_")
    js = js[:anchor] + "\n" + RUNTIME + js[anchor:]
    loader.write_text(js)
    print(f"{len(packs)} packs")


if __name__ == "__main__":
    main(*sys.argv[1:])
