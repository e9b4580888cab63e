#!/usr/bin/env python3
"""Write `.dcz` siblings: wasm compressed with Zstandard against a module the browser already has.

Usage: dictionary_variants.py DIST

Chromium keeps a response sent with `Use-As-Dictionary` and, on a later request its pattern
matches, says which one it holds (`Available-Dictionary`, its SHA-256); the server may then answer
with the body compressed against it (`Content-Encoding: dcz`). The two bundles share most of their
code (the framework), so the console's main module compressed against the sign-in bundle's is
about half its brotli size: what a new user pays for the console after signing up. A pack shares
less with its own bundle's main module, but it always comes after it.

Pairs written (each only when smaller than the file's `.br`):
  - each page's main module, against the other page's main module;
  - each pack, against the main module of its own page.

A `.dcz` file is exactly the body to send: the 40-byte header of the format (a skippable frame
holding the dictionary's SHA-256, which the server reads to know which dictionary it needs) and
the Zstandard frame. Each is decoded again here and compared with its file before it is kept.
"""

import hashlib
import re
import subprocess
import sys
from pathlib import Path

# A Zstandard skippable frame (magic 0x184D2A5E, length 32) holding the dictionary's hash.
DCZ_MAGIC = bytes([0x5E, 0x2A, 0x4D, 0x18, 0x20, 0x00, 0x00, 0x00])
PAGES = ("index.html", "auth.html")


def bundle(dist: Path, page: str):
    """(main module, its packs) of the bundle `page` loads, or None when the page is missing."""
    html_path = dist / page
    if not html_path.exists():
        return None
    html = html_path.read_text()
    main = re.search(r"/([\w-]+_bg\.wasm)", html)
    loader = re.search(r'modulepreload" href="/([\w-]+-chunks-[0-9a-f]+\.js)"', html)
    if not main:
        return None
    packs = []
    if loader:
        packs = sorted(set(re.findall(r"pack_\w+-[0-9a-f]+\.wasmpack", (dist / loader.group(1)).read_text())))
    return dist / main.group(1), [dist / p for p in packs]


def zstd(args, data: bytes) -> bytes:
    run = subprocess.run(["zstd", "-q", *args], input=data, capture_output=True)
    if run.returncode != 0:
        sys.exit(f"zstd {' '.join(args)} failed: {run.stderr.decode(errors='replace')}")
    return run.stdout


def variant(target: Path, dictionary: Path):
    """Write target.dcz against `dictionary` if it beats target's brotli; the bytes saved, or 0."""
    raw = target.read_bytes()
    frame = zstd(["--ultra", "-22", "--single-thread", f"--patch-from={dictionary}", f"--stream-size={len(raw)}", "-c"], raw)
    if zstd(["-d", f"--patch-from={dictionary}", "-c"], frame) != raw:
        sys.exit(f"{target.name}: the Zstandard frame against {dictionary.name} does not decode to the file")
    body = DCZ_MAGIC + hashlib.sha256(dictionary.read_bytes()).digest() + frame
    br = target.with_name(target.name + ".br")
    best = br.stat().st_size if br.exists() else len(raw)
    out = target.with_name(target.name + ".dcz")
    if len(body) >= best:
        out.unlink(missing_ok=True)
        return 0
    out.write_bytes(body)
    return best - len(body)


def main():
    dist = Path(sys.argv[1])
    bundles = [b for b in (bundle(dist, p) for p in PAGES) if b]
    written = saved = 0
    for i, (main_module, packs) in enumerate(bundles):
        pairs = [(pack, main_module) for pack in packs]
        pairs += [(main_module, other) for j, (other, _) in enumerate(bundles) if j != i]
        for target, dictionary in pairs:
            gain = variant(target, dictionary)
            written += gain > 0
            saved += gain
            if target.name.endswith("_bg.wasm") and gain:
                print(f"{target.name}: {gain / 1024:.1f} KB less than brotli against {dictionary.name}")
    print(f"{written} dictionary-compressed variants, {saved / 1024:.1f} KB less than brotli in all")


if __name__ == "__main__":
    main()
