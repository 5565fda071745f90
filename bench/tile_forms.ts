/**
 * The three forms of the relaxed build's ternary tiles (dot16, dot-add and mixed, see
 * wasm/src/kernels/matmul_t2_i8_tiles.rs) on one module, forms alternating
 * round by round: the three Falcon-E-1B product shapes (gate/up 9216x2048,
 * down 2048x9216, q/o 2048x2048; 10.5 MB of weights, so they stay in L3) for
 * blocks of N tokens (1 = the decode tile), every form and block size in
 * every round. Not a test: prints one line per block size with each form's
 * median GMAC/s over the rounds and their ratios to dot16.
 *
 *   deno run -A bench/tile_forms.ts [--tokens 1,4,64] [--rounds 9] [--module file.wasm]
 * @module
 */
import { instantiateTestKernels, kernelModule, type KernelTestExports } from "../src/engine/kernels.ts";
import { TernaryTiles } from "../src/engine/abi.ts";
import { flag } from "./args.ts";
import { machine } from "./machine.ts";

const counts = flag("tokens", "1,4,64").split(",").map(Number);
const tokens = Math.max(...counts);
const rounds = Number(flag("rounds", "9"));
const path = flag("module", "");
const mod = path ? new WebAssembly.Module(await Deno.readFile(path)) : await kernelModule("relaxed");
const k: KernelTestExports = await instantiateTestKernels(mod);
if (k.set_ternary_tiles(TernaryTiles.DOT_ADD, TernaryTiles.DOT_ADD) !== 0) {
  throw new Error("this module has one tile form only (the plain build)");
}

let seed = 7;
const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 16;
const alloc = (n: number) => {
  const p = k.alloc(n, 64);
  if (p === 0) throw new Error("out of memory");
  return p;
};
const x = alloc(tokens * 9216), y = alloc(tokens * 9216 * 4);
const xs = new Int8Array(k.memory.buffer, x, tokens * 9216);
for (let i = 0; i < xs.length; i++) xs[i] = next() & 255;
const shapes: [number, number][] = [[9216, 2048], [2048, 9216], [2048, 2048]];
const ws = shapes.map(([out, nIn]) => {
  const bytes = out / 4 * nIn, w = alloc(bytes), u = new Uint8Array(k.memory.buffer, w, bytes);
  for (let j = 0; j < bytes; j++) {
    const v = next();
    u[j] = (v % 3) | ((v >> 2) % 3) << 2 | ((v >> 4) % 3) << 4 | ((v >> 6) % 3) << 6; // codes 0..2
  }
  k.k_prepare_t2(w, out, nIn);
  return w;
});

const forms = { dot16: TernaryTiles.DOT16, "dot-add": TernaryTiles.DOT_ADD, mixed: TernaryTiles.MIXED };
const rates = new Map(
  counts.map((n) => [n, { dot16: [] as number[], "dot-add": [] as number[], mixed: [] as number[] }]),
);
for (let r = 0; r < rounds; r++) {
  for (const n of counts) {
    for (const [name, form] of Object.entries(forms)) {
      k.set_ternary_tiles(form, form);
      let macs = 0;
      const t0 = performance.now();
      while (macs < 1.5e9) { // ~20 ms
        shapes.forEach(([out, nIn], j) => {
          k.k_matmul_t2_i8(ws[j], out, nIn, x, n, y, 1);
          macs += out * nIn * n;
        });
      }
      rates.get(n)![name as keyof typeof forms].push(macs / (performance.now() - t0) / 1e6);
    }
  }
}
const median = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1];
for (const [n, r] of rates) {
  const [d16, da, mx] = [median(r.dot16), median(r["dot-add"]), median(r.mixed)];
  console.log(JSON.stringify({
    bench: "tile_forms",
    module: path || "committed relaxed build",
    tokens: n,
    rounds,
    gmac_s: { dot16: +d16.toFixed(1), "dot-add": +da.toFixed(1), mixed: +mx.toFixed(1) },
    dot_add_vs_dot16: +(da / d16).toFixed(3),
    mixed_vs_dot16: +(mx / d16).toFixed(3),
    machine: machine(1),
  }));
}
