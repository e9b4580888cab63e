#!/usr/bin/env python3
"""pack_chunks.py LOADER OUTDIR [NAME=AFTER[+AFTER...]:SCREEN,SCREEN... ...]: names the chunks, packs them per
screen (and per prefetch), writes the loader.

wasm-split-cli writes a chunk per screen (`split_<screen>.wasm`), shared chunks for the code
several screens share (`chunk_<n>.wasm`, one per combination of screens: a console screen needs
up to ~170 of them) and a loader (LOADER) that fetches each on first use. OUTDIR holds the
optimised chunks under those names. This script:

1. names every chunk `<name>-<hash>.wasm`, with one hash over all of them (served as immutable).
   One hash, not one per file: a build moves function indices in nearly every chunk anyway, and
   the loader then names a chunk by its number alone;
2. writes, for every screen, a *pack* `pack_<screen>-<hash>.wasmpack`: its chunk and the shared
   chunks it needs, end to end, so a cold load of a screen is one request (small files each with
   their own headers and their own, weaker, compression were most of the bytes);
3. rewrites the loader: wasm-split's header (shared imports, callbacks, `makeLoad`) stays; the
   per-chunk and per-screen blocks become one table of chunk lengths and one line per screen (its
   shared chunks as ranges of numbers). A screen none of whose chunks has been fetched yet takes
   its pack; otherwise it fetches only the chunks it lacks. Nothing is fetched twice either way
   (unless a pack fails: the parts taken from it are then fetched alone);
4. for every `NAME=AFTER:SCREENS` argument, writes a *prefetch pack* `pack_NAME-<hash>.wasmpack`:
   what those screens need beyond what the screen AFTER needs (or the screens `A+B`, together). The app asks for it
   (`platform::lazy::prefetch`) while AFTER shows, so its prefetch is one request, not one per
   missing chunk (a couple of hundred small files, each with its own headers, were a fifth of the
   bytes of a whole onboarding). It is used under the same rule as a screen's pack, and by a
   screen of its own that is needed before the prefetch has started (a quick user).
"""

import hashlib
import re
import sys
from pathlib import Path

BLOCK = r'makeLoad\(\(\) => \{\s*const src = fetch\(new URL\("\./([^"]+)", import\.meta\.url\)\);.*?\n\}\n, '
CHUNK = re.compile(r"const __chunk_(\d+) = " + BLOCK + r"\[\]\);\n", re.S)
SCREEN = re.compile(r"export const __wasm_split_load_(\w+) = wrapAsyncCb\(" + BLOCK + r"\[([^\]]*)\]\)\);\n", re.S)
COMMENT = re.compile(r"^/\* [^\n]* \*/\n", re.M)

RUNTIME = """
// Packs (scripts/pack_chunks.py). A part of a pack serves one request. Parts are keyed by shared
// chunk number, or by screen name for a screen's own chunk. A pack that failed (an error, cut
// short) is not asked for again: the parts a load (a screen's or a prefetch's) had taken from
// it are fetched alone at once, the others when needed. A part that failed alone too fails its
// screen's load, and the next load (Try again) fetches it again.
const requested = new Set();
const fromPack = new Map();
const packs = new Map();
const failedPacks = new Set();
// Whether a part is fetched, on its way (alone or in a pack) or failed alone (then only its
// own request asks for it again, never a pack).
const have = (key) => requested.has(key) || fromPack.has(key);
function fetchPart(key, file) {
    requested.add(key);
    const alone = () => fetch(new URL(file, import.meta.url));
    const part = fromPack.get(key);
    if (part === undefined) return alone();
    fromPack.delete(key);
    // A pack is only a way to save requests: when it fails, its part comes alone.
    return part.catch(alone);
}
function fetchPack(name) {
    const { pack, parts } = packs.get(name);
    if (failedPacks.has(name) || parts.some(([key]) => have(key))) return;
    const total = parts.reduce((sum, [, length]) => sum + length, 0);
    const bytes = fetch(new URL(pack, import.meta.url)).then(async (r) => {
        if (!r.ok) throw new Error(`${pack}: HTTP ${r.status}`);
        const b = await r.arrayBuffer();
        if (b.byteLength !== total) throw new Error(`${pack}: cut short`);
        return b;
    });
    bytes.catch(() => {
        failedPacks.add(name);
        for (const [key] of parts) if (mine.get(key) === fromPack.get(key)) fromPack.delete(key);
    });
    const mine = new Map();
    let start = 0;
    for (const [key, length] of parts) {
        const at = start;
        start += length;
        const part = bytes.then((b) => new Response(new Uint8Array(b, at, length), { headers: { 'Content-Type': 'application/wasm' } }));
        part.catch(() => {});
        mine.set(key, part);
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
// A shared chunk's loader, made on first use.
const chunkLoads = new Map();
function chunkLoad(n) {
    if (!chunkLoads.has(n)) chunkLoads.set(n, makeLoad(instantiate(n, `./chunk_${n}-${HASH}.wasm`), []));
    return chunkLoads.get(n);
}
// "4-7,9" -> [4, 5, 6, 7, 9]
function numbers(ranges) {
    return ranges.split(",").filter(Boolean).flatMap((r) => {
        const [a, b = a] = r.split("-").map(Number);
        return Array.from({ length: b - a + 1 }, (_, i) => a + i);
    });
}
// A screen's loader: its chunk after the shared ones it needs.
function screen(name, file, length, pack, ranges) {
    const shared = numbers(ranges);
    packs.set(name, { pack, parts: [[name, length], ...shared.map((n) => [n, LENGTHS[n]])] });
    const load = makeLoad(instantiate(name, file), shared.map(chunkLoad));
    return wrapAsyncCb(() => {
        takePack(name);
        return load();
    });
}
// A screen's code comes in its own pack when none of that has been fetched yet (a cold load);
// otherwise in the first prefetch pack that holds all it still lacks, when none of that pack
// has been fetched yet either (a user quicker than the prefetch); else chunk by chunk.
const prefetchPacks = [];
function takePack(screen) {
    const lacks = packs.get(screen).parts.filter(([key]) => !have(key));
    if (lacks.length === 0) return;
    for (const name of [screen, ...prefetchPacks]) {
        const { parts } = packs.get(name);
        if (failedPacks.has(name) || parts.some(([key]) => have(key))) continue;
        const keys = new Set(parts.map(([key]) => key));
        if (lacks.every(([key]) => keys.has(key))) return fetchPack(name);
    }
}
// A prefetch pack: what `screens` need beyond the screen the app prefetches them from.
function follow(name, pack, screens, ranges) {
    const own = screens.split(",").map((s) => packs.get(s).parts[0]);
    packs.set(name, { pack, parts: [...own, ...numbers(ranges).map((n) => [n, LENGTHS[n]])] });
    prefetchPacks.push(name);
}
// The app asks for its first screen's pack as it starts, before it has its config or draws
// anything, and for a prefetch pack before it prefetches (`platform::lazy`).
globalThis.__onrampFetchPack = (screen) => {
    if (packs.has(screen)) fetchPack(screen);
};
"""


def ranges(numbers: list[int]) -> str:
    """[4, 5, 6, 7, 9] -> "4-7,9"."""
    runs: list[list[int]] = []
    for n in sorted(numbers):
        if runs and runs[-1][1] == n - 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def write_pack(out: Path, name: str, body: bytes) -> str:
    """Writes OUT/pack_NAME-<hash of BODY>.wasmpack; returns its file name."""
    pack = f"pack_{name}-{hashlib.sha256(body).hexdigest()[:16]}.wasmpack"
    (out / pack).write_bytes(body)
    return pack


def main(loader_path: str, outdir: str, *follows: str) -> None:
    loader = Path(loader_path)
    out = Path(outdir)
    js = COMMENT.sub("", loader.read_text())
    chunks = {int(n): file for n, file in CHUNK.findall(js)}
    screens = SCREEN.findall(js)
    if not chunks or not screens or any(file != f"chunk_{n}.wasm" for n, file in chunks.items()):
        sys.exit(f"pack_chunks: {loader} is not a loader this script knows")

    files = sorted([*chunks.values(), *(file for _, file, _ in screens)])
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.encode() + b"\0" + (out / file).read_bytes())
    build = digest.hexdigest()[:16]
    data = {file: (out / file).read_bytes() for file in files}
    for file in files:
        (out / file).rename(out / file.replace(".wasm", f"-{build}.wasm"))

    # Each screen's chunk file and the shared chunks it needs.
    needs = {name: (file, {int(d.strip().removeprefix("__chunk_")) for d in deps.split(",") if d.strip()})
             for name, file, deps in screens}
    lines = []
    for name, (file, deps) in needs.items():
        shared = sorted(deps)
        if any(n not in chunks for n in shared):
            sys.exit(f"pack_chunks: {name} needs a chunk the loader does not define")
        pack = write_pack(out, name, data[file] + b"".join(data[chunks[n]] for n in shared))
        named = file.replace(".wasm", f"-{build}.wasm")
        lines.append(
            f'export const __wasm_split_load_{name} = screen("{name}", "./{named}", '
            f'{len(data[file])}, "./{pack}", "{ranges(shared)}");'
        )

    for follow in follows:
        name, _, rest = follow.partition("=")
        after, _, group = rest.partition(":")
        after = [a for a in after.split("+") if a]
        group = [g for g in group.split(",") if g]
        if (not name or not after or not group or any(a not in needs for a in after)
                or any(g not in needs or g in after for g in group)):
            sys.exit(f"pack_chunks: {follow!r} is not NAME=AFTER[+AFTER…]:SCREEN,... of this loader's screens")
        shared = sorted(set().union(*(needs[g][1] for g in group)) - set().union(*(needs[a][1] for a in after)))
        body = b"".join(data[needs[g][0]] for g in group) + b"".join(data[chunks[n]] for n in shared)
        pack = write_pack(out, name, body)
        lines.append(f'follow("{name}", "./{pack}", "{",".join(group)}", "{ranges(shared)}");')

    lengths = ",".join(str(len(data[chunks[n]])) if n in chunks else "" for n in range(max(chunks) + 1))
    table = f'const HASH = "{build}";\n// A shared chunk\'s length in bytes, by number.\nconst LENGTHS = [{lengths}];\n'
    first = min(m.start() for m in (CHUNK.search(js), SCREEN.search(js)))
    rest = SCREEN.sub("", CHUNK.sub("", js[first:]))
    head = js[:first]
    if head.count("makeLoad(") != 1 or "fetch(new URL(" in head or rest.strip():
        sys.exit("pack_chunks: the loader has a part this script does not know")
    loader.write_text(head + table + RUNTIME + "\n".join(lines) + "\n")
    print(f"{len(screens)} packs, {len(chunks)} shared chunks, build {build}")


if __name__ == "__main__":
    main(*sys.argv[1:])
