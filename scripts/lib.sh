# shellcheck shell=bash
# Shared helpers for scripts/setup, scripts/run, scripts/test and scripts/bench.
# Source it; it does not change shell options of the caller beyond what is documented here.
#
# After sourcing:
#   ROOT      the repository root (absolute)
#   E2E_DIR   tests/e2e (absolute)
#   PATH      tests/e2e/node_modules/.bin first (npm binaryen@132's wasm-opt; Debian's wasm-opt
#             108 builds a module that dies at start-up),
#             then ~/.cargo/bin.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
E2E_DIR="$ROOT/tests/e2e"
export PATH="$E2E_DIR/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# Versions the toolchain is pinned to (used by the scripts that source this file).
# shellcheck disable=SC2034
{
  TRUNK_VERSION="0.22.1"
  WASM_OPT_VERSION="132"
  WASM_TARGET="wasm32-unknown-unknown"
  # The splitter that cuts the release wasm into lazily loaded chunks (wasm_split_cli_support).
  WASM_SPLIT_VERSION="0.2.4"
  # wasm-opt's view of the module's features: Rust 1.82+ emits bulk-memory and friends by
  # default, and `strip = true` drops the section that says so, so wasm-opt is told.
  WASM_OPT_FLAGS="--enable-bulk-memory --enable-bulk-memory-opt --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue"
  APT_PACKAGES=(chromium chromium-driver brotli zstd wrk openssl)
  CFN_LINT_VERSION="1.51.0"
  # cfn-lint lives in its own virtualenv: no clash with whatever else Python has installed.
  CFN_LINT_VENV="${XDG_CACHE_HOME:-$HOME/.cache}/onramp/cfn-lint-${CFN_LINT_VERSION}"
  # Spot's own Python SDK, the contract test's client (tests/contract).
  SPOT_SDK_VERSION="3.22.0"
  SPOT_SDK_VENV="${XDG_CACHE_HOME:-$HOME/.cache}/onramp/spotinst-sdk2-${SPOT_SDK_VERSION}"
}

# Extra Chromium flags: without them Chromium floods the closed network with refused connections.
# Used by wasm-bindgen-test-runner (webdriver.json at the root) and by the
# Playwright helpers (tests/e2e/lib/browser.mjs) — keep the three lists identical.
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$ROOT/webdriver.json"

if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then
  _B=$'\e[1m'; _R=$'\e[31m'; _G=$'\e[32m'; _Y=$'\e[33m'; _C=$'\e[36m'; _N=$'\e[0m'
else
  _B=""; _R=""; _G=""; _Y=""; _C=""; _N=""
fi

log()  { printf '%s==>%s %s\n' "$_C" "$_N" "$*" >&2; }
ok()   { printf '%s  ok%s %s\n' "$_G" "$_N" "$*" >&2; }
warn() { printf '%swarning:%s %s\n' "$_Y" "$_N" "$*" >&2; }
die()  { printf '%serror:%s %s\n' "$_R" "$_N" "$*" >&2; exit 1; }
header() {
  printf '\n%s════════ %s ════════%s\n' "$_B" "$*" "$_N" >&2
}

now_s() { date +%s; }

# fmt_duration SECONDS -> "1m05s"
fmt_duration() {
  local s=$1
  if (( s >= 60 )); then printf '%dm%02ds' $((s / 60)) $((s % 60)); else printf '%ds' "$s"; fi
}

# The exact version of the `wasm-bindgen` package in Cargo.lock (the CLI must match it exactly).
wasm_bindgen_lock_version() {
  awk '
    /^\[\[package\]\]/ { inpkg = 0 }
    /^name = "wasm-bindgen"$/ { inpkg = 1; next }
    inpkg && /^version = / { gsub(/"/, "", $3); print $3; exit }
  ' "$ROOT/Cargo.lock"
}

# Run a command as root (apt). CI machines run as root; elsewhere use sudo when present.
as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root for: $*"
  fi
}

# Print a free TCP port on 127.0.0.1.
free_port() {
  node -e '
    const s = require("net").createServer();
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => console.log(p)); });
  '
}

# Kill a whole process group (the servers we start with setsid), politely then firmly.
# Never by name (python3/cargo are shims/wrappers; a PID alone can leave the real process alive).
kill_group() {
  local pgid=$1
  [[ -n "$pgid" ]] || return 0
  kill -TERM -- "-$pgid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do
    kill -0 -- "-$pgid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL -- "-$pgid" 2>/dev/null || true
}

# Wait while another process on this machine is installing the same tool with cargo, so that we
# never start a second concurrent build of it (read-only check of the process table).
wait_for_foreign_cargo_install() {
  local crate=$1 waited=0
  while pgrep -f "cargo install ${crate}( |$)" >/dev/null 2>&1; do
    if (( waited == 0 )); then log "another 'cargo install $crate' is running; waiting for it"; fi
    sleep 10; waited=$((waited + 10))
    if (( waited % 120 == 0 )); then log "still waiting for 'cargo install $crate' (${waited}s)"; fi
  done
}

# The npm binaryen must be the wasm-opt Trunk finds.
check_wasm_opt() {
  local got
  got="$(command -v wasm-opt || true)"
  [[ "$got" == "$E2E_DIR/node_modules/.bin/wasm-opt" ]] \
    || die "wasm-opt on PATH is '${got:-none}', expected $E2E_DIR/node_modules/.bin/wasm-opt (run scripts/setup)"
  wasm-opt --version 2>/dev/null | grep -q "version $WASM_OPT_VERSION" \
    || die "wasm-opt is not version $WASM_OPT_VERSION: $(wasm-opt --version 2>&1)"
}

# The release build: the app with Trunk (offline: tools must already be installed and
# dependencies fetched) and the API server that serves it.
build_release() {
  ( check_wasm_opt ) || return 1
  log "trunk build --release --features split (offline)"
  ( cd "$ROOT" && TRUNK_OFFLINE=true trunk build --release --features split ) || return 1
  # Prefetch packs (NAME=AFTER:SCREENS): the screens `platform::lazy::prefetch(NAME, …)` fetches
  # while AFTER shows (src/app/console.rs), in one request. The user menu comes once a signed-in
  # screen is interactive: menu_S is what it needs beyond the entry screen S, and the prefetches
  # that follow it count it as there (AFTER+user_menu). The first-run wizard prefetches the
  # picked provider's panel and the dashboard (welcome_<provider>). Embedded (no menu), the wizard
  # opens after the embed screen, whose pack already brought part of those (so they are not
  # taken): embed_<provider> is the same screens beyond what the embed and wizard screens hold.
  # The dashboard's dialogs come in one pack when one of them first opens (`LazyDialogs`).
  local s menus=()
  for s in welcome dashboard add_account aws_org azure_subs management azure_billing finops settings_members settings_security; do
    menus+=("menu_$s=$s:user_menu")
  done
  local p picks=()
  for p in aws gcp azure; do
    picks+=("embed_$p=embed+welcome:$p,dashboard")
  done
  # AWS and Azure have more kinds of account than the linked one: their panels come along.
  picks+=("welcome_aws=welcome+user_menu:aws,other_kinds,dashboard"
    "welcome_gcp=welcome+user_menu:gcp,dashboard"
    "welcome_azure=welcome+user_menu:azure,other_kinds,dashboard")
  split_bundle "$ROOT/dist" index.html onramp "${menus[@]}" "${picks[@]}" \
    aws_org_next=aws_org+user_menu:aws_org_deploy \
    dashboard_dialogs=dashboard+user_menu:account_dialogs,invite_dialog || return 1
  bundle_css "$ROOT/dist" index.html onramp || return 1
  build_auth_bundle --release --features split,auth-bundle || return 1
  compress_dist || return 1
  # Each main module compressed against the other bundle's, each pack against its own bundle's
  # (`.dcz`, sent to a browser that says it holds that module: crates/api-server/src/dictionaries.rs).
  log "dictionary-compressed variants (zstd against a module the browser has)"
  python3 "$ROOT/scripts/dictionary_variants.py" "$ROOT/dist" || return 1
  log "cargo build --release --locked -p onramp-api"
  ( cd "$ROOT" && cargo build --release --locked -p onramp-api ) || return 1
}

# The sign-in bundle (auth.html → binary onramp-auth), added to dist/ as auth.html next to the
# console's index.html; the server answers /signin, /signup… and /invite/… with it. Trunk always
# names its output index.html and empties its --dist, so it builds in target/ and is copied over.
# Pass --release for the release build; run after the console's `trunk build`.
build_auth_bundle() {
  local out="$ROOT/target/dist-auth"
  log "trunk build auth.html $* (the sign-in bundle)"
  ( cd "$ROOT" && TRUNK_OFFLINE=true trunk build auth.html "$@" --dist "$out" ) || return 1
  if [[ " $* " == *" --features split"* ]]; then split_bundle "$out" index.html onramp-auth || return 1; fi
  if [[ " $* " == *" --release"* ]]; then bundle_css "$out" index.html onramp-auth || return 1; fi
  ( cd "$out" && for f in *; do [[ "$f" == index.html ]] || cp -R "$f" "$ROOT/dist/"; done ) || return 1
  cp "$out/index.html" "$ROOT/dist/auth.html"
}

# The first 16 hex digits of the SHA-256 of the given files, for content-hashed names.
hash16() { cat "$@" | sha256sum | cut -c1-16; }

# split_bundle DIR HTML BIN [PREFETCH...]: replace the one-module build of binary BIN that Trunk put in DIR (and
# that DIR/HTML loads) by the split build: a main module plus one chunk per split point
# (`split_view!`), fetched on first use by a small loader module. Trunk has no step for this, so
# it runs after Trunk, on the binary Cargo linked with relocations (the `split` feature):
#   wasm-split-cli → wasm-bindgen (main module only) → wasm-opt (every module) →
#   content-hashed names (served as immutable) → the page points at the new main module.
split_bundle() {
  local dir="$1" html="$1/$2" bin="$3"
  shift 3
  local raw="${CARGO_TARGET_DIR:-$ROOT/target}/$WASM_TARGET/release/$bin.wasm"
  local work
  [[ -f "$raw" ]] || { echo "split_bundle: $raw is missing" >&2; return 1; }
  work="$(mktemp -d "${TMPDIR:-/tmp}/onramp-split.XXXXXX")"
  log "split $bin.wasm into chunks"
  wasm-split-cli "$raw" "$work" --out-name "$bin" >/dev/null || return 1
  wasm-bindgen --target web --keep-lld-exports --no-typescript --out-dir "$work/out" \
    --out-name "$bin" "$work/$bin.wasm" 2> >(grep -v 'target_features. custom section' >&2) || return 1
  local f h
  # `--converge` repeats -Oz until nothing is gained (~1 % on the main module); the chunks are
  # small and many, so they get one pass each, one wasm-opt per core.
  # shellcheck disable=SC2086 # a list of flags
  wasm-opt -Oz --converge $WASM_OPT_FLAGS "$work/out/${bin}_bg.wasm" -o "$work/out/${bin}_bg.wasm" || return 1
  find "$work" -maxdepth 1 -name '*.wasm' ! -name "$bin.wasm" -print0 \
    | xargs -0 -P "$(nproc)" -I{} sh -c 'wasm-opt -Oz $0 "$1" -o "$2/out/${1##*/}" 2>/dev/null' \
      "$WASM_OPT_FLAGS" {} "$work" || return 1
  # Hashed chunk names, a pack per screen (one request on a cold load) and the loader for them.
  python3 "$ROOT/scripts/pack_chunks.py" "$work/__wasm_split.js" "$work/out" "$@" >/dev/null || return 1
  # The main module and the loader import each other: one hash over both names them.
  h="$(hash16 "$work/out/${bin}_bg.wasm" "$work/out/$bin.js" "$work/__wasm_split.js")"
  # Only the `import … from` lines change: the wasm's own import names stay as they are.
  sed "s|from \"./$bin.js\"|from \"./$bin-$h.js\"|" "$work/__wasm_split.js" >"$work/out/$bin-chunks-$h.js"
  sed "s|from \"./__wasm_split.js\"|from \"./$bin-chunks-$h.js\"|" "$work/out/$bin.js" >"$work/out/$bin-$h.js"
  mv "$work/out/${bin}_bg.wasm" "$work/out/$bin-${h}_bg.wasm"
  rm "$work/out/$bin.js"
  # Both scripts are fetched on every route: minified (identifiers, blanks, comments) they are
  # ~2.5 KB smaller after brotli. Their names keep the hash of what wasm-bindgen wrote. (The glue
  # names the loader once per import as the same key of one object, each time the same module.)
  for f in "$work/out/$bin-$h.js" "$work/out/$bin-chunks-$h.js"; do
    esbuild "$f" --minify --format=esm --log-level=warning --log-override:duplicate-object-key=silent \
      --outfile="$f.min" && mv "$f.min" "$f" || return 1
  done
  # Out with Trunk's one-module files, in with ours; the page's links and their integrity follow.
  local old_js old_wasm
  # (Trunk writes its hash without leading zeros: 16 hex digits or fewer.)
  old_js="$(grep -o "/$bin-[0-9a-f]\+\.js" "$html" | head -1)"
  old_wasm="$(grep -o "/$bin-[0-9a-f]\+_bg\.wasm" "$html" | head -1)"
  [[ -n "$old_js" && -n "$old_wasm" ]] || { echo "split_bundle: $html does not load $bin" >&2; return 1; }
  rm -f "$dir$old_js" "$dir$old_wasm"
  cp "$work/out/"* "$dir/"
  sed -i -e "s|$old_js|/$bin-$h.js|g" -e "s|$old_wasm|/$bin-${h}_bg.wasm|g" "$html"
  local file sri
  for file in "$bin-$h.js" "$bin-${h}_bg.wasm"; do
    sri="sha384-$(openssl dgst -sha384 -binary "$dir/$file" | base64 -w0)"
    sed -i -E "s|(href=\"/$file\"[^>]*integrity=\")[^\"]*|\1$sri|" "$html"
  done
  # The glue imports the loader: fetched with it rather than after it (one round trip less).
  sri="sha384-$(openssl dgst -sha384 -binary "$dir/$bin-chunks-$h.js" | base64 -w0)"
  sed -i "s|</head>|<link rel=\"modulepreload\" href=\"/$bin-chunks-$h.js\" crossorigin=\"anonymous\" integrity=\"$sri\"></head>|" "$html"
  ok "$bin: main module $(stat -c %s "$dir/$bin-${h}_bg.wasm") B, $(find "$work/out" -name '*.wasm' ! -name '*_bg.wasm' | wc -l) chunks, $(find "$work/out" -name '*.wasmpack' | wc -l) packs"
  rm -rf "$work"
}

# bundle_css DIR HTML NAME: the page's stylesheets (Trunk links one file per style/*.css, handy
# while editing) become one minified, content-hashed DIR/NAME-<hash>.css, in link order: one
# answer instead of nine, and brotli sees all the rules at once. The page's link and its integrity follow.
bundle_css() {
  local dir="$1" html="$1/$2" name="$3" files f out sri bundle
  mapfile -t files < <(grep -o '<link rel="stylesheet" href="/[^"]*\.css"' "$html" | sed 's|.*href="/||; s|"$||')
  ((${#files[@]} > 1)) || return 0
  out="$(mktemp)"
  for f in "${files[@]}"; do cat "$dir/$f" >>"$out" || return 1; done
  bundle="$name-$(hash16 "$out").css"
  # Minified (the comments and blanks were a quarter of it after brotli); named by the source's hash.
  esbuild --minify --loader=css --log-level=warning <"$out" >"$dir/$bundle" || return 1
  rm "$out"
  chmod 644 "$dir/$bundle"
  sri="sha384-$(openssl dgst -sha384 -binary "$dir/$bundle" | base64 -w0)"
  # The first link becomes the bundle's, the others go (one link per line, as Trunk writes them).
  sed -i -E -e "0,/<link rel=\"stylesheet\" href=\"\/[^\"]*\.css\"[^>]*>/s||<link rel=\"stylesheet\" href=\"/$bundle\" integrity=\"$sri\"/>|" \
    -e '/<link rel="stylesheet" href="\/[^"]*\.css"[^>]*>/{/'"$bundle"'/!d}' "$html" || return 1
  for f in "${files[@]}"; do rm -f "$dir/$f"; done
  ok "$2: ${#files[@]} stylesheets in one $bundle ($(stat -c %s "$dir/$bundle") B)"
}

# Write `.br` (brotli -q 11) and `.gz` (gzip -9) beside every text and wasm file of dist/, as a CDN
# would keep them; the server sends one of them to a browser that accepts it. A compressed copy
# that is not smaller than its original is dropped (the original is then sent).
compress_dist() {
  log "compress dist/ (brotli -q 11, gzip -9)"
  local f n=0
  while IFS= read -r -d '' f; do
    brotli -q 11 -f -o "$f.br" -- "$f" || return 1
    gzip -9 -n -c -- "$f" >"$f.gz" || return 1
    local raw
    raw=$(stat -c %s "$f")
    (( $(stat -c %s "$f.br") < raw )) || rm -f "$f.br"
    (( $(stat -c %s "$f.gz") < raw )) || rm -f "$f.gz"
    n=$((n + 1))
  done < <(find "$ROOT/dist" -type f \( -name '*.html' -o -name '*.js' -o -name '*.mjs' \
    -o -name '*.css' -o -name '*.wasm' -o -name '*.wasmpack' -o -name '*.json' -o -name '*.svg' -o -name '*.txt' \
    -o -name '*.yaml' -o -name '*.map' -o -name '*.webmanifest' -o -name '*.ico' \) -print0)
  ok "compressed $n files in dist/"
}

# Copy dist/ to a private temporary folder and point the e2e helpers at it (ONRAMP_E2E_DIST), so
# that a `trunk build` running meanwhile (another terminal, another engineer) cannot swap the hashed
# assets under a running test server. Sets SNAPSHOT_DIR; remove it with `rm -rf "$SNAPSHOT_DIR"`.
snapshot_dist() {
  [[ -f "$ROOT/dist/index.html" ]] || { echo "dist/index.html is missing: build first" >&2; return 1; }
  SNAPSHOT_DIR="$(mktemp -d "${TMPDIR:-/tmp}/onramp-dist.XXXXXX")"
  cp -R "$ROOT/dist/." "$SNAPSHOT_DIR/"
  export ONRAMP_E2E_DIST="$SNAPSHOT_DIR"
}
