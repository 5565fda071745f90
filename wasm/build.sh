#!/usr/bin/env bash
# Builds the two kernel modules from the Rust crate with Debian's rustc (1.63):
#   wasm/falcon_e.wasm          plain SIMD128 (runs everywhere wasm SIMD does)
#   wasm/falcon_e_relaxed.wasm  same crate with --cfg relaxed: ternary kernels
#                               on i16x8.relaxed_dot_i8x16_i7x16_s
# rustc 1.63 has no intrinsics for relaxed SIMD, so the relaxed build calls
# exported, never-inlined stand-ins (wasm/src/kernels/relaxed.rs); this script
# disassembles that module with binaryen's wasm-dis, rewrites every call of a
# stand-in into its instruction (same stack signature), drops its export and
# reassembles with wasm-as. binaryen 108 spells the instructions by their old
# names: `i16x8.dot_i8x16_i7x16_s` is encoded as the standard
# i16x8.relaxed_dot_i8x16_i7x16_s (0xfd 0x112), but `f32x4.relaxed_fma` gets
# the prototype's opcode 0xfd 0xaf, which is patched to the standard
# f32x4.relaxed_madd (0xfd 0x105) after checking it occurs once per call.
# Needs python3 for that patch (wasm/patch_opcode.py).
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
if ! command -v python3 >/dev/null; then
  echo "build:wasm needs python3 (patches f32x4.relaxed_madd's opcode in the relaxed module)" >&2
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

# Relaxed: stand-in calls -> the instructions (wasm/src/kernels/relaxed.rs).
# Each line: stand-in export, binaryen 108's name of the instruction, and, where
# binaryen 108 still emits a pre-standard opcode, that opcode and the standard
# one as the hex bytes after the 0xfd prefix (same length, patched below).
standins="falcon_e_relaxed_dot_i8x16_i7x16_s i16x8.dot_i8x16_i7x16_s - -
falcon_e_relaxed_madd_f32x4 f32x4.relaxed_fma af01 8502"
wasm-dis "$work/relaxed.wasm" -o "$work/relaxed.wat"
cp "$work/relaxed.wat" "$work/relaxed2.wat"
counts=""
while read -r stub instr old new; do
  fid="$(sed -n "s/^ (export \"$stub\" (func \\\$\\([0-9A-Za-z_]*\\)))\$/\\1/p" "$work/relaxed.wat")"
  [ -n "$fid" ] || { echo "relaxed build: export $stub not found" >&2; exit 1; }
  calls="$(grep -c "(call \\\$$fid\$" "$work/relaxed.wat" || true)"
  [ "$calls" -gt 0 ] || { echo "relaxed build: no calls of $stub to rewrite" >&2; exit 1; }
  sed -i -e "s/(call \\\$$fid\$/($instr/" -e "/^ (export \"$stub\"/d" "$work/relaxed2.wat"
  counts="$counts $calls x $instr,"
  echo "$fid $calls $old $new" >> "$work/patches"
done <<< "$standins"
wasm-as --enable-simd --enable-relaxed-simd "$work/relaxed2.wat" -o "$work/relaxed_final.wasm"
wasm-dis "$work/relaxed_final.wasm" -o "$work/final.wat"
while read -r fid calls old new; do
  left="$(grep -c "(call \\\$$fid\$" "$work/final.wat" || true)"
  [ "$left" = 0 ] || { echo "relaxed build: $left calls of $fid left" >&2; exit 1; }
done < "$work/patches"
while read -r fid calls old new; do
  [ "$old" = - ] && continue
  # the old opcode must occur exactly once per rewritten call, or nothing is patched
  python3 "$here/patch_opcode.py" "$work/relaxed_final.wasm" "$calls" "fd$old" "fd$new"
done < "$work/patches"

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
  echo "wrote wasm/falcon_e.wasm ($(wc -c < "$here/falcon_e.wasm") bytes) and wasm/falcon_e_relaxed.wasm ($(wc -c < "$here/falcon_e_relaxed.wasm") bytes,${counts%,}) with $("$rustc_bin" --version), $(wasm-as --version)"
fi
