#!/usr/bin/env python3
"""Extracts V8's machine code for wasm functions from a perf jitdump, to read
what TurboFan made of a kernel (Deno's V8 has no disassembler built in).

    deno run -A --v8-flags=--perf-prof,--no-liftoff script.ts   # writes jit-<pid>.dump here
    python3 bench/tools/jitdump.py jit-<pid>.dump 'wasm-function\\[2\\]' /tmp/f
    objdump -D -b binary -m i386:x86-64 -M intel /tmp/f_*.bin | less

Arguments: the dump, an optional regex on function names (default: every
wasm function), an optional output prefix (writes <prefix>_<name>.bin per
function; without it only names, addresses and sizes are listed). Function
indices match `wasm-dis` of the module (e.g. wasm/falcon_e_relaxed.wasm).
"""
import re
import struct
import sys

JIT_CODE_LOAD = 0


def functions(data):
    """(name, address, code bytes) of every JIT_CODE_LOAD record."""
    header_size = struct.unpack_from("<III", data, 0)[2]
    off = header_size
    while off + 16 <= len(data):
        rid, size, _ts = struct.unpack_from("<IIQ", data, off)
        if size == 0:
            break
        if rid == JIT_CODE_LOAD:
            _pid, _tid, _vma, addr, code_size, _index = struct.unpack_from("<IIQQQQ", data, off + 16)
            name_at = off + 16 + 40
            name_end = data.index(b"\0", name_at)
            yield data[name_at:name_end].decode(errors="replace"), addr, data[name_end + 1:name_end + 1 + code_size]
        off += size


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    pattern = re.compile(argv[2] if len(argv) > 2 else r"wasm-function")
    prefix = argv[3] if len(argv) > 3 else None
    with open(argv[1], "rb") as f:
        data = f.read()
    for name, addr, code in functions(data):
        if not pattern.search(name):
            continue
        print(f"{name} {addr:#x} {len(code)} bytes")
        if prefix:
            with open(f"{prefix}_{re.sub(r'[^A-Za-z0-9]', '_', name)[:60]}.bin", "wb") as out:
                out.write(code)


if __name__ == "__main__":
    main(sys.argv)
