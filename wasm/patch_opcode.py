"""Rewrites one SIMD opcode in a wasm module, in place (used by wasm/build.sh).

    python3 wasm/patch_opcode.py MODULE CALLS OLD_HEX NEW_HEX

Replaces the bytes OLD_HEX by NEW_HEX (same length) only if OLD_HEX occurs
exactly CALLS times, once per rewritten stand-in call; otherwise the module is
left as it was and the script exits with an error that names both counts (the
bytes could also sit inside an immediate, and then patching would corrupt it).
"""
import sys


def main(argv):
    if len(argv) != 5:
        sys.exit("usage: patch_opcode.py MODULE CALLS OLD_HEX NEW_HEX")
    path, calls = argv[1], int(argv[2])
    old, new = bytes.fromhex(argv[3]), bytes.fromhex(argv[4])
    if len(old) != len(new):
        sys.exit(f"patch_opcode: {old.hex()} and {new.hex()} differ in length")
    data = open(path, "rb").read()
    found = data.count(old)
    if found != calls:
        sys.exit(f"patch_opcode: {old.hex()} occurs {found} times in {path}, not {calls}: not patched")
    open(path, "wb").write(data.replace(old, new))


main(sys.argv)
