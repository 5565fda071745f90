#!/usr/bin/env bash
# Builds the kernel modules from the Rust crate, one source, four RUSTFLAGS:
#   wasm/falcon_e.wasm             SIMD128 (runs everywhere wasm SIMD does)
#   wasm/falcon_e_relaxed.wasm     +relaxed-simd: i16x8.relaxed_dot_i8x16_i7x16_s
#                                  and f32x4.relaxed_madd from core::arch::wasm32
#   wasm/falcon_e_mt.wasm,         the same two with +atomics,+bulk-memory and an
#   wasm/falcon_e_relaxed_mt.wasm  imported shared memory: one instance per thread
#
#   wasm/build.sh          rebuild and overwrite the committed modules
#   wasm/build.sh --check  rebuild into a temp dir and fail if either differs
#
# Needs rustc >= 1.82 (the relaxed-SIMD intrinsics) and either a prebuilt
# wasm32-unknown-unknown core (rustup: `rustup target add wasm32-unknown-unknown`)
# or the library source to build core from (Debian: `apt-get install rustc-web
# cargo-web rust-web-src lld-22`; core is then built with -Zbuild-std, offline,
# its vendored crates standing in for crates.io).
#
# The committed modules are made by the toolchain named in wasm/TOOLCHAIN
# (Debian's rustc-web, core built from source); `--check` insists on it,
# because another compiler emits other bytes. Reproducible otherwise: no
# dependencies, paths remapped, no wasm-opt.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
check=0
[ "${1:-}" = "--check" ] && check=1

# Debian's toolchain (/usr/bin) first: a rustup shim earlier in PATH has no wasm32 target here.
pick() { if [ -n "${!1:-}" ]; then echo "${!1}"; elif [ -x "/usr/bin/$2" ]; then echo "/usr/bin/$2"; else command -v "$2" || true; fi; }
rustc_bin="$(pick RUSTC rustc)"
cargo_bin="$(pick CARGO cargo)"
install_hint="install Debian's current Rust:  apt-get install -y rustc-web cargo-web rust-web-src lld-22
  (or, with rustup:  rustup toolchain install stable && rustup target add wasm32-unknown-unknown)"
if [ -z "$rustc_bin" ] || [ -z "$cargo_bin" ]; then
  echo "build:wasm needs rustc and cargo; $install_hint" >&2
  exit 1
fi
version="$("$rustc_bin" --version)"
minor="$(echo "$version" | sed -n 's/^rustc 1\.\([0-9]*\)\..*/\1/p')"
if [ -z "$minor" ] || [ "$minor" -lt 82 ]; then
  echo "build:wasm needs rustc >= 1.82 for the relaxed-SIMD intrinsics; $rustc_bin is '$version'." >&2
  echo "  $install_hint" >&2
  exit 1
fi
sysroot="$("$rustc_bin" --print sysroot)"
library="$sysroot/lib/rustlib/src/rust/library"
if [ -d "$sysroot/lib/rustlib/wasm32-unknown-unknown/lib" ]; then
  mode=prebuilt
elif [ -d "$library/core" ] && [ -d "$library/vendor" ]; then
  mode=build-std
else
  echo "build:wasm: $version has neither a wasm32-unknown-unknown core nor its library source to build one." >&2
  echo "  $install_hint" >&2
  exit 1
fi
toolchain="$version, $mode"
if [ "$check" = 1 ] && [ "$toolchain" != "$(cat "$here/TOOLCHAIN")" ]; then
  echo "check:wasm: the committed modules were built by '$(cat "$here/TOOLCHAIN")'; this machine has '$toolchain'," >&2
  echo "  which emits other bytes. Install that toolchain (apt-get install -y rustc-web cargo-web rust-web-src lld-22)" >&2
  echo "  or rebuild with 'deno task build:wasm' and commit the modules and wasm/TOOLCHAIN." >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export CARGO_HOME="$work/cargo-home" RUSTC="$rustc_bin"
mkdir -p "$CARGO_HOME"
std_args=()
if [ "$mode" = build-std ]; then
  # core from source, offline: crates-io is replaced by the library's vendored crates
  cat > "$CARGO_HOME/config.toml" <<EOF
[source.crates-io]
replace-with = "rust-library-vendor"
[source.rust-library-vendor]
directory = "$library/vendor"
EOF
  export RUSTC_BOOTSTRAP=1
  std_args=(-Zbuild-std=core,panic_abort)
fi
remap="--remap-path-prefix=$here=/falcon-e/wasm --remap-path-prefix=$sysroot=/rust --remap-path-prefix=$HOME=/home"

build() { # $1: name, $2: target features, $3: more flags
  CARGO_TARGET_DIR="$work/$1" RUSTFLAGS="-C target-feature=$2 $remap ${3:-}" \
    "$cargo_bin" build --quiet --offline --release --target wasm32-unknown-unknown "${std_args[@]}" \
    --manifest-path "$here/Cargo.toml" 2> >(grep -v "unstable feature specified for \`-Ctarget-feature\`: \`atomics\`\|not stably supported\|^  *|\|^  *=\|^\$\|generated 1 warning" >&2)
  cp "$work/$1/wasm32-unknown-unknown/release/falcon_e_kernels.wasm" "$work/$1.wasm"
}
build plain +simd128
build relaxed +simd128,+relaxed-simd
# Threads: shared memory imported with SHARED_INITIAL_PAGES (wasm/src/abi.rs) pages; each
# instance's __stack_pointer exported, so a thread's host can give it its own stack.
pages="$(sed -n 's/^ *SHARED_INITIAL_PAGES = \([0-9]*\),.*/\1/p' "$here/src/abi.rs")"
[ -n "$pages" ] || { echo "build:wasm: no SHARED_INITIAL_PAGES in wasm/src/abi.rs" >&2; exit 1; }
shared="-C link-arg=--shared-memory -C link-arg=--import-memory -C link-arg=--max-memory=4294967296"
shared="$shared -C link-arg=--initial-memory=$((pages * 65536)) -C link-arg=--export=__stack_pointer"
modules="plain:falcon_e relaxed:falcon_e_relaxed"
if [ "$mode" = build-std ]; then
  build plain_mt +simd128,+atomics,+bulk-memory,+mutable-globals "$shared"
  build relaxed_mt +simd128,+relaxed-simd,+atomics,+bulk-memory,+mutable-globals "$shared"
  modules="$modules plain_mt:falcon_e_mt relaxed_mt:falcon_e_relaxed_mt"
else # a prebuilt core has no +atomics: the threaded modules stay as committed
  echo "build:wasm: skipping the threaded modules (they need core built with +atomics: the library source and -Zbuild-std)" >&2
fi

if [ "$check" = 1 ]; then
  ok=1
  for m in $modules; do
    cmp -s "$work/${m%%:*}.wasm" "$here/${m#*:}.wasm" || { echo "wasm/${m#*:}.wasm is stale" >&2; ok=0; }
  done
  if [ "$ok" = 1 ]; then
    echo "wasm/*.wasm are up to date ($toolchain)"
  else
    echo "run 'deno task build:wasm' and commit the result" >&2
    exit 1
  fi
else
  for m in $modules; do cp "$work/${m%%:*}.wasm" "$here/${m#*:}.wasm"; done
  echo "$toolchain" > "$here/TOOLCHAIN"
  for m in $modules; do echo "wrote wasm/${m#*:}.wasm ($(wc -c < "$here/${m#*:}.wasm") bytes)"; done
  echo "with $toolchain"
fi
