#!/usr/bin/env bash
# Compiles the two wasm modules to wasm32, runs wasm-bindgen (pinned through Cargo.lock) and
# wasm-opt on each, and leaves them with their JS glue in target/wasm-pkg/:
#   aiguard_wasm        the engine (bindings crate), loaded by the background and by pages
#   aiguard_files       the file decoders (files-bindings crate), loaded by the background only
#                       when a file is not plain text
source "$(dirname "$0")/lib.sh"

OUT=target/wasm-pkg
WASM_TARGET_DIR=target/wasm   # its own directory: Debian's rustc differs from rustup's
TRIPLE=wasm32-unknown-unknown
# crate -> module name
MODULES=("aiguard-wasm:aiguard_wasm" "aiguard-files-wasm:aiguard_files")
PACKAGES=()
for m in "${MODULES[@]}"; do PACKAGES+=(-p "${m%%:*}"); done

# WebAssembly SIMD: the tokenizer classifies 64-byte blocks with 16-byte vectors. Every browser
# the extension supports has it (Chrome 91, Firefox 89).
SIMD=-Ctarget-feature=+simd128

if rustup target list --installed 2>/dev/null | grep -qx $TRIPLE; then
  say "wasm32: rustup target"
  RUSTFLAGS="$SIMD" CARGO_TARGET_DIR=$WASM_TARGET_DIR cargo build --profile wasm --target $TRIPLE "${PACKAGES[@]}"
elif [ -x /usr/bin/cargo ] && [ -d /usr/lib/rustlib/src/rust/library ] && have wasm-ld; then
  say "wasm32: Debian rustc-web, std built from source"
  # Debian's cargo/rustc first in PATH; its rust-lld link is dangling, wasm-ld works.
  PATH=/usr/bin:$PATH RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR=$WASM_TARGET_DIR \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld \
    RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort $SIMD" \
    cargo build --profile wasm --target $TRIPLE "${PACKAGES[@]}" \
      -Zbuild-std=std,panic_abort
else
  die "no wasm32 toolchain: run 'rustup target add $TRIPLE', or as root 'apt-get install rustc-web cargo-web rust-web-src lld' (scripts/setup.sh does this)"
fi

rm -rf "$OUT" && mkdir -p "$OUT"
WASM_OPT=node_modules/.bin/wasm-opt
[ -x $WASM_OPT ] || die "wasm-opt missing: run scripts/setup.sh (npm package binaryen)"
mkdir -p "$WASM_TARGET_DIR/named"
for m in "${MODULES[@]}"; do
  crate=${m%%:*} name=${m#*:}
  # wasm-bindgen names its output after its input file.
  cp "$WASM_TARGET_DIR/$TRIPLE/wasm/${crate//-/_}.wasm" "$WASM_TARGET_DIR/named/$name.wasm"
  cargo run --quiet --release -p xtask -- bindgen "$WASM_TARGET_DIR/named/$name.wasm" "$OUT"
  $WASM_OPT -O3 --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$OUT/${name}_bg.wasm" -o "$OUT/${name}_bg.wasm"
  say "wasm $name: $(stat -c %s "$OUT/${name}_bg.wasm") bytes ($(gzip -9c "$OUT/${name}_bg.wasm" | wc -c) gzipped)"
done
