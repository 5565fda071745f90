#!/usr/bin/env bash
# Builds wasm/falcon_e.wasm from the Rust crate with Debian's rustc (1.63).
# Reproducible: fixed toolchain, no dependencies, paths remapped, no wasm-opt.
#   wasm/build.sh          rebuild and overwrite the committed module
#   wasm/build.sh --check  rebuild into a temp dir and fail if it differs
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
rustc_bin="${RUSTC:-/usr/bin/rustc}"
cargo_bin="${CARGO:-/usr/bin/cargo}"
if [ ! -x "$rustc_bin" ] || [ ! -x "$cargo_bin" ]; then
  echo "build:wasm needs Debian's rustc and cargo with the wasm32 std:" >&2
  echo "  apt-get install -y rustc cargo libstd-rust-dev-wasm32" >&2
  exit 1
fi
target_dir="$(mktemp -d)"
trap 'rm -rf "$target_dir"' EXIT
export RUSTC="$rustc_bin" CARGO_TARGET_DIR="$target_dir" CARGO_HOME="$target_dir/cargo-home"
export RUSTFLAGS="-C target-feature=+simd128 --remap-path-prefix=$here=/falcon-e/wasm --remap-path-prefix=$HOME=/home"
"$cargo_bin" build --quiet --offline --release --target wasm32-unknown-unknown --manifest-path "$here/Cargo.toml"
built="$target_dir/wasm32-unknown-unknown/release/falcon_e_kernels.wasm"
if [ "${1:-}" = "--check" ]; then
  if cmp -s "$built" "$here/falcon_e.wasm"; then
    echo "wasm/falcon_e.wasm is up to date ($("$rustc_bin" --version))"
  else
    echo "wasm/falcon_e.wasm is stale: run 'deno task build:wasm' and commit the result" >&2
    exit 1
  fi
else
  cp "$built" "$here/falcon_e.wasm"
  echo "wrote wasm/falcon_e.wasm ($(wc -c < "$here/falcon_e.wasm") bytes, $("$rustc_bin" --version))"
fi
