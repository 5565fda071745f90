#!/usr/bin/env python3
"""Lists the loops of a function's machine code (an objdump listing of what
jitdump.py extracted) and feeds one to llvm-mca, to count what a kernel's
inner loop costs per iteration where the VM has no performance counters.

    python3 bench/tools/jitdump.py jit-<pid>.dump 'wasm-function\\[2\\]' /tmp/f
    objdump -D -b binary -m i386:x86-64 -M intel /tmp/f_*.bin > /tmp/f.asm
    python3 bench/tools/loops.py /tmp/f.asm                  # every loop
    python3 bench/tools/loops.py /tmp/f.asm 2100 --mca znver3  # llvm-mca on the loop at 0x2100

A loop is a backward jump and the code from its target to it; for each the
listing gives its instruction count, `vpmaddubsw` count (the relaxed dots),
vector loads and stack accesses (spills). With --mca the loop's body goes to
`llvm-mca -mcpu=CPU` (jumps redirected to the loop head), whose summary line
"Total Cycles / Iterations" is the modelled cost of one pass through the loop.
"""
import re
import subprocess
import sys
import tempfile


def instructions(path):
    """(address, text) of every instruction in an objdump -M intel listing."""
    out = []
    for line in open(path):
        m = re.match(r"\s*([0-9a-f]+):\s+(?:[0-9a-f]{2} )+\s*(.*)", line)
        if m and m.group(2).strip():
            out.append((int(m.group(1), 16), m.group(2).strip()))
    return out


def loops(ins):
    """(start, end, body) for every backward jump whose target is an instruction."""
    at = {a: i for i, (a, _) in enumerate(ins)}
    for i, (a, text) in enumerate(ins):
        m = re.match(r"j\w+\s+0x([0-9a-f]+)", text)
        if m:
            target = int(m.group(1), 16)
            if target < a and target in at:
                yield target, a, ins[at[target]:i + 1]


def describe(body):
    count = lambda pred: sum(1 for _, t in body if pred(t))
    return {
        "instructions": len(body),
        "dots": count(lambda t: t.startswith("vpmaddubsw")),
        "vector_loads": count(lambda t: t.startswith(("vmovdqu", "vmovups")) and "PTR [r" in t.split(",", 1)[-1]
                              and "rbp" not in t and "rsp" not in t),
        "stack": count(lambda t: "rbp-" in t or "rsp+" in t),
    }


def mca(body, cpu):
    lines = [".intel_syntax noprefix", ".Lhead:"]
    for _, t in body:
        lines.append(re.sub(r"^(j\w+)\s+0x[0-9a-f]+.*", r"\1 .Lhead", t))
    with tempfile.NamedTemporaryFile("w", suffix=".s", delete=False) as f:
        f.write("\n".join(lines) + "\n")
    res = subprocess.run(["llvm-mca", f"-mcpu={cpu}", "-iterations=200", f.name], capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(res.stderr)
    cycles = int(re.search(r"Total Cycles:\s+(\d+)", res.stdout).group(1))
    print(res.stdout.split("\n\n")[0])
    print(f"modelled cycles per pass: {cycles / 200:.1f}")


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    ins = instructions(argv[1])
    found = list(loops(ins))
    if len(argv) > 2:
        start = int(argv[2], 16)
        cpu = argv[argv.index("--mca") + 1] if "--mca" in argv else "znver3"
        inner = [l for l in found if l[0] == start]
        if not inner:
            sys.exit(f"no loop starts at {argv[2]}")
        body = min(inner, key=lambda l: len(l[2]))[2]
        print(describe(body))
        mca(body, cpu)
        return
    for start, end, body in found:
        d = describe(body)
        if d["dots"]:
            print(f"{start:x}-{end:x}: {d}")


if __name__ == "__main__":
    main(sys.argv)
