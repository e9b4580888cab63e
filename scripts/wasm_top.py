#!/usr/bin/env python3
"""The largest contributors to each module of a split bundle, by code size.

    wasm_top.py RAW.wasm BUNDLE_NAME OUT_DIR [N]

RAW.wasm is the binary Cargo linked for the split build (target/wasm32-unknown-unknown/release/
<bin>.wasm). The release profile strips its name section, but the split build links with
relocations, so the `linking` section still names every function. This script writes those
names into a name section of a copy, cuts the copy with wasm-split-cli exactly as the release
build does (a name section does not change what goes where), and prints, for the main module and
each chunk, the N largest contributors grouped by Rust path (crate::module), with their code bytes
before wasm-opt (less the type descriptions wasm-bindgen removes). The same rows, per function, go to OUT_DIR/contributors-BUNDLE_NAME.txt.
No second build is needed, so the figures describe the very build that is measured.
"""
import collections
import os
import re
import subprocess
import sys
import tempfile


def leb(b, i):
    r = s = 0
    while True:
        x = b[i]
        i += 1
        r |= (x & 0x7F) << s
        s += 7
        if x < 0x80:
            return r, i


def put_leb(n):
    out = bytearray()
    while True:
        x = n & 0x7F
        n >>= 7
        out.append(x | (0x80 if n else 0))
        if not n:
            return bytes(out)


def sections(b):
    """(id, custom name or None, payload start, end) for every section."""
    i = 8
    while i < len(b):
        sid = b[i]
        n, i = leb(b, i + 1)
        end = i + n
        name = None
        start = i
        if sid == 0:
            ln, j = leb(b, i)
            name = b[j:j + ln].decode()
            start = j + ln
        yield sid, name, start, end
        i = end


def symbol_names(b):
    """Function index -> symbol name, from the linking section's symbol table."""
    names = {}
    for sid, name, start, end in sections(b):
        if name != "linking":
            continue
        _version, i = leb(b, start)
        while i < end:
            kind = b[i]
            size, i = leb(b, i + 1)
            sub_end = i + size
            if kind == 8:  # WASM_SYMBOL_TABLE
                count, i = leb(b, i)
                for _ in range(count):
                    sym_kind = b[i]
                    flags, i = leb(b, i + 1)
                    if sym_kind in (0, 2, 4, 5):  # function, global, tag, table
                        index, i = leb(b, i)
                        if not flags & 0x10 or flags & 0x40:  # defined, or named explicitly
                            ln, i = leb(b, i)
                            if sym_kind == 0:
                                names.setdefault(index, b[i:i + ln].decode("utf8", "replace"))
                            i += ln
                    elif sym_kind == 1:  # data
                        ln, i = leb(b, i)
                        i += ln
                        if not flags & 0x10:
                            for _ in range(3):
                                _, i = leb(b, i)
                    elif sym_kind == 3:  # section
                        _, i = leb(b, i)
            i = sub_end
    return names


def with_name_section(b, names):
    body = bytearray()
    for index in sorted(names):
        encoded = names[index].encode()
        body += put_leb(index) + put_leb(len(encoded)) + encoded
    funcs = put_leb(len(names)) + bytes(body)
    payload = put_leb(4) + b"name" + bytes([1]) + put_leb(len(funcs)) + funcs
    return bytes(b) + bytes([0]) + put_leb(len(payload)) + payload


def code_sizes(b):
    """(function name, body bytes) for every function defined in module b."""
    imported = 0
    names = {}
    bodies = []
    for sid, name, start, end in sections(b):
        if sid == 2:
            count, i = leb(b, start)
            for _ in range(count):
                for _ in range(2):
                    ln, i = leb(b, i)
                    i += ln
                kind = b[i]
                i += 1
                if kind == 0:
                    _, i = leb(b, i)
                    imported += 1
                elif kind == 1:
                    flags = b[i + 1]
                    _, i = leb(b, i + 2)
                    if flags & 1:
                        _, i = leb(b, i)
                elif kind == 2:
                    flags = b[i]
                    _, i = leb(b, i + 1)
                    if flags & 1:
                        _, i = leb(b, i)
                elif kind == 3:
                    i += 2
                elif kind == 4:
                    _, i = leb(b, i + 1)
        elif sid == 10:
            count, i = leb(b, start)
            for _ in range(count):
                size, i = leb(b, i)
                bodies.append(size)
                i += size
        elif name == "name":
            i = start
            while i < end:
                kind = b[i]
                size, i = leb(b, i + 1)
                if kind == 1:
                    count, j = leb(b, i)
                    for _ in range(count):
                        index, j = leb(b, j)
                        ln, j = leb(b, j)
                        names[index] = b[j:j + ln].decode("utf8", "replace")
                        j += ln
                i += size
    funcs = [(names.get(imported + k, "?"), size) for k, size in enumerate(bodies)]
    # wasm-bindgen runs these at build time to learn the types, then removes them.
    return [(n, size) for n, size in funcs if not is_describe(n)]


def is_describe(name):
    text = idents(name)
    return "WasmDescribe" in text or "wasm_bindgen::describe" in text or "__wbindgen_describe" in text


def idents(mangled):
    """The path a Rust symbol names, roughly (legacy `_ZN…E` and v0 `_R…` manglings)."""
    if mangled.startswith("_ZN"):
        parts, i = [], 3
        while i < len(mangled) and mangled[i].isdigit():
            j = i
            while j < len(mangled) and mangled[j].isdigit():
                j += 1
            ln = int(mangled[i:j])
            parts.append(mangled[j:j + ln])
            i = j + ln
        if parts and re.fullmatch(r"h[0-9a-f]{16}", parts[-1]):
            parts.pop()
        text = "::".join(parts)
        for code, char in (("$LT$", "<"), ("$GT$", ">"), ("$u20$", " "), ("$RF$", "&"),
                           ("$C$", ","), ("$u7b$", "{"), ("$u7d$", "}"), ("..", "::")):
            text = text.replace(code, char)
        return text
    if mangled.startswith("_R"):
        parts, i, n = [], 2, len(mangled)
        while i < n:
            c = mangled[i]
            if c == "s":  # a disambiguator (s<base62>_), not a name
                j = i + 1
                while j < n and mangled[j].isalnum():
                    j += 1
                if j < n and mangled[j] == "_":
                    i = j + 1
                    continue
            if c.isdigit():
                j = i
                while j < n and mangled[j].isdigit():
                    j += 1
                ln = int(mangled[i:j])
                if j < n and mangled[j] == "_":
                    j += 1
                parts.append(mangled[j:j + ln])
                i = j + ln
            else:
                i += 1
        return "::".join(p for p in parts if p)
    return mangled


def group(name):
    """crate::module of a function; `<Type as Trait>::f` counts for Type, or for Trait when Type
    is a generic parameter (`T`, `&T`, `F`…)."""
    path = idents(name)
    if path.startswith("__wasm_split"):
        return "(split-point glue)"
    path = path.lstrip("_")
    if path.startswith("<") and " as " in path:
        depth, end = 0, len(path)
        for k, ch in enumerate(path):
            depth += ch == "<"
            depth -= ch == ">"
            if depth == 0:
                end = k
                break
        ty, _, trait = path[1:end].partition(" as ")
        ty = ty.lstrip("&*").replace("mut ", "").replace("dyn ", "")
        path = ty if "::" in ty.split("<")[0] else trait
    elif path.startswith("<"):
        path = path[1:].lstrip("&*").replace("mut ", "").replace("dyn ", "")
    parts = [p for p in path.split("<")[0].split("::") if p]
    return "::".join(parts[:2]) if parts else name


def main():
    raw, bundle, out_dir = sys.argv[1:4]
    top = int(sys.argv[4]) if len(sys.argv) > 4 else 15
    data = open(raw, "rb").read()
    names = symbol_names(data)
    if not names:
        sys.exit(f"{raw}: no linking section (is it the split build?)")
    with tempfile.TemporaryDirectory() as work:
        named = os.path.join(work, "named.wasm")
        open(named, "wb").write(with_name_section(data, names))
        split = os.path.join(work, "split")
        subprocess.run(["wasm-split-cli", named, split, "--out-name", "main"], check=True,
                       stdout=subprocess.DEVNULL)
        modules = []
        for f in sorted(os.listdir(split)):
            if f.endswith(".wasm"):
                label = "main" if f == "main.wasm" else f[:-5]
                modules.append((label, code_sizes(open(os.path.join(split, f), "rb").read())))
    # main first, then the screens' chunks by size, then the shared chunks (summed)
    modules.sort(key=lambda m: (m[0] != "main", m[0].startswith("chunk_"), -sum(s for _, s in m[1])))
    report = open(os.path.join(out_dir, f"contributors-{bundle}.txt"), "w")
    shared = collections.Counter()
    shared_total = 0
    for label, funcs in modules:
        total = sum(s for _, s in funcs)
        by_group = collections.Counter()
        for name, size in funcs:
            by_group[group(name)] += size
        report.write(f"## {bundle} {label}: {total} B code before wasm-opt\n")
        for name, size in sorted(funcs, key=lambda f: -f[1]):
            report.write(f"{size:8d}  {idents(name)}\n")
        if label.startswith("chunk_"):
            shared.update(by_group)
            shared_total += total
            continue
        print_top(bundle, label, total, by_group, top)
    if shared_total:
        print_top(bundle, "chunk_* (all shared chunks)", shared_total, shared, top)
    print(f"(per function: {report.name})")


def print_top(bundle, label, total, by_group, top):
    print(f"\n{bundle} {label}: {total / 1024:.1f} KB of code before wasm-opt; largest contributors")
    for key, size in by_group.most_common(top):
        print(f"  {size / 1024:7.1f} KB {100 * size / total:5.1f} %  {key}")


if __name__ == "__main__":
    main()
