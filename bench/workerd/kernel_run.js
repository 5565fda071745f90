// Shared by bench/workerd/kernels.ts (in Deno) and kernel_worker.js (in
// workerd): the same ternary kernel calls on one instance of the relaxed
// build, 2048x2048 weights (48 copies, 50 MB, cycled so decode streams from
// memory as in the model), decode (1 token) or prefill (64 tokens).

/** Fills the weights and activations; returns run(op, reps). */
export function setup(instance) {
  const k = instance.exports;
  const alloc = (n) => {
    const p = k.alloc(n, 64);
    if (!p) throw new Error("out of memory");
    return p;
  };
  const out = 2048, nIn = 2048, bytes = (out / 4) * nIn, copies = 48;
  const ws = [];
  for (let c = 0; c < copies; c++) {
    const w = alloc(bytes);
    const u = new Uint8Array(k.memory.buffer, w, bytes);
    let s = 1234 + c;
    for (let i = 0; i < bytes; i++) {
      s ^= s << 13, s ^= s >>> 17, s ^= s << 5;
      const b = s & 255; // four valid codes (0..2) per byte
      u[i] = (b % 3) | ((b >> 2) % 3) << 2 | ((b >> 4) % 3) << 4 | ((b >> 6) % 3) << 6;
    }
    k.k_prepare_t2(w, out, nIn);
    ws.push(w);
  }
  const x = alloc(64 * nIn), y = alloc(64 * out * 4);
  new Int8Array(k.memory.buffer, x, 64 * nIn).forEach((_, i, a) => (a[i] = ((i * 37) % 255) - 127));
  let c = 0;
  return (op, reps) => {
    const nTok = op === "decode" ? 1 : 64;
    for (let r = 0; r < reps; r++) {
      k.k_matmul_t2_i8(ws[c], out, nIn, x, nTok, y, 1);
      c = (c + 1) % copies;
    }
  };
}
