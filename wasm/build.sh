#!/usr/bin/env bash
# Builds the two kernel modules from the Rust crate with Debian's rustc (1.63):
#   wasm/falcon_e.wasm          plain SIMD128 (runs everywhere wasm SIMD does)
#   wasm/falcon_e_relaxed.wasm  same crate with --cfg relaxed: ternary kernels
#                               on i16x8.relaxed_dot_i8x16_i7x16_s
# rustc 1.63 has no intrinsic for the relaxed instruction, so the relaxed
# build calls an exported, never-inlined stand-in (`falcon_e_relaxed_dot_i8x16_i7x16_s`,
# see wasm/src/kernels/matmul_t2_i8_relaxed.rs); this script disassembles that
# module with binaryen's wasm-dis, rewrites every call of the stand-in into the
# instruction (same stack signature: v128 v128 -> v128), drops its export and
# reassembles with wasm-as. binaryen 108 spells the instruction by its old name
# `i16x8.dot_i8x16_i7x16_s`; its encoding (0xfd 0x112) is the standard one.
# Reproducible: fixed toolchains (rustc 1.63, binaryen 108), no dependencies,
# paths remapped, no wasm-opt.
#   wasm/build.sh          rebuild and overwrite the committed modules
#   wasm/build.sh --check  rebuild into a temp dir and fail if either differs
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
rustc_bin="${RUSTC:-/usr/bin/rustc}"
cargo_bin="${CARGO:-/usr/bin/cargo}"
if [ ! -x "$rustc_bin" ] || [ ! -x "$cargo_bin" ]; then
  echo "build:wasm needs Debian's rustc and cargo with the wasm32 std:" >&2
  echo "  apt-get install -y rustc cargo libstd-rust-dev-wasm32" >&2
  exit 1
fi
if ! command -v wasm-dis >/dev/null || ! command -v wasm-as >/dev/null; then
  echo "build:wasm needs binaryen (wasm-dis, wasm-as) for the relaxed-SIMD module:" >&2
  echo "  apt-get install -y binaryen" >&2
  exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export RUSTC="$rustc_bin" CARGO_HOME="$work/cargo-home"
flags="-C target-feature=+simd128 --remap-path-prefix=$here=/falcon-e/wasm --remap-path-prefix=$HOME=/home"

build() { # $1: name, $2: extra rustc flags
  CARGO_TARGET_DIR="$work/$1" RUSTFLAGS="$flags $2" \
    "$cargo_bin" build --quiet --offline --release --target wasm32-unknown-unknown --manifest-path "$here/Cargo.toml"
  cp "$work/$1/wasm32-unknown-unknown/release/falcon_e_kernels.wasm" "$work/$1.wasm"
}
build plain ""
build relaxed "--cfg relaxed"

# Relaxed: stand-in calls -> the instruction.
stub=falcon_e_relaxed_dot_i8x16_i7x16_s
wasm-dis "$work/relaxed.wasm" -o "$work/relaxed.wat"
fid="$(sed -n "s/^ (export \"$stub\" (func \\\$\\([0-9A-Za-z_]*\\)))\$/\\1/p" "$work/relaxed.wat")"
[ -n "$fid" ] || { echo "relaxed build: export $stub not found" >&2; exit 1; }
calls="$(grep -c "(call \\\$$fid\$" "$work/relaxed.wat" || true)"
[ "$calls" -gt 0 ] || { echo "relaxed build: no calls of $stub to rewrite" >&2; exit 1; }
sed -e "s/(call \\\$$fid\$/(i16x8.dot_i8x16_i7x16_s/" -e "/^ (export \"$stub\"/d" "$work/relaxed.wat" > "$work/relaxed2.wat"
wasm-as --enable-simd --enable-relaxed-simd "$work/relaxed2.wat" -o "$work/relaxed_final.wasm"
left="$(wasm-dis "$work/relaxed_final.wasm" | grep -c "(call \\\$$fid\$" || true)"
[ "$left" = 0 ] || { echo "relaxed build: $left calls of $stub left" >&2; exit 1; }

if [ "${1:-}" = "--check" ]; then
  ok=1
  cmp -s "$work/plain.wasm" "$here/falcon_e.wasm" || { echo "wasm/falcon_e.wasm is stale" >&2; ok=0; }
  cmp -s "$work/relaxed_final.wasm" "$here/falcon_e_relaxed.wasm" || { echo "wasm/falcon_e_relaxed.wasm is stale" >&2; ok=0; }
  if [ "$ok" = 1 ]; then
    echo "wasm/falcon_e.wasm and wasm/falcon_e_relaxed.wasm are up to date ($("$rustc_bin" --version), $(wasm-as --version))"
  else
    echo "run 'deno task build:wasm' and commit the result" >&2
    exit 1
  fi
else
  cp "$work/plain.wasm" "$here/falcon_e.wasm"
  cp "$work/relaxed_final.wasm" "$here/falcon_e_relaxed.wasm"
  echo "wrote wasm/falcon_e.wasm ($(wc -c < "$here/falcon_e.wasm") bytes) and wasm/falcon_e_relaxed.wasm ($(wc -c < "$here/falcon_e_relaxed.wasm") bytes, $calls relaxed dots) with $("$rustc_bin" --version), $(wasm-as --version)"
fi
