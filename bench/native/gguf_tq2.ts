/**
 * Converts a Falcon-E checkpoint (config.json + model.safetensors +
 * tokenizer.json, e.g. the synthetic one `deno task synth --shape falcon-e-1b`
 * writes) into a llama.cpp GGUF (v3) with the SAME weights, so llama.cpp can be
 * measured on exactly the shape and data our wasm engine runs:
 *
 * - the seven BitLinear projections per layer as GGML TQ2_0 (type 35):
 *   block_tq2_0 = { uint8_t qs[64]; ggml_half d; }, 66 bytes per 256 weights.
 *   Field order as ggml-quants.c quantize_row_tq2_0_ref / dequantize_row_tq2_0:
 *   within a block, weight k = 128*h + 32*n + m (h in 0..1, n in 0..3, m in
 *   0..31) is the 2-bit code (w + 1: 0, 1, 2 = -1, 0, +1) in bits 2n..2n+1 of
 *   qs[32*h + m]. The checkpoint's code is also w + 1, so codes move unchanged.
 *   d of every block = the tensor's effective scale 1/weight_scale, as f16
 *   (falcon-e.md: the effective weight is T / weight_scale).
 * - token_embd and output (lm_head) as BF16 (type 30), bytes as shipped;
 *   the RMSNorm weights as F32 (exact widening of the BF16 values).
 * - attn_q / attn_k rows permuted as convert_hf_to_gguf.py's LlamaModel.permute
 *   does (reshape(n_head, 2, head_dim/2, in).swapaxes(1, 2)): HF's rotate-half
 *   RoPE layout becomes ggml's interleaved (NORM) layout, so llama.cpp computes
 *   what transformers computes. It is a row reorder done while re-packing, free.
 * - tokenizer: tokenizer.ggml.model "gpt2" (byte-level BPE) with tokens, token
 *   types (added special tokens CONTROL) and merges from tokenizer.json,
 *   tokenizer.ggml.pre "default" (llama.cpp has no exact match for this
 *   pre-tokenizer; the benchmark feeds token ids, so text splitting is moot).
 *
 * Activations: llama.cpp's TQ2_0 path quantizes activations per 256-block
 * (q8_K), BitLinear per token; numbers differ slightly, speed does not.
 *
 * Streams: one tensor at a time is read from the safetensors file and written
 * in order; the largest buffer is one tensor (a 4.7 MB packed projection, or
 * 4 MB chunks of the BF16 embeddings).
 *
 *   deno run -A bench/native/gguf_tq2.ts [--model DIR] [--out FILE] [--force] [--head f16]
 *   deno run -A bench/native/gguf_tq2.ts --self-check [--model DIR]
 *
 * Defaults: --model /tmp/falcon-e-synth/falcon-e-1b (synthesized if absent),
 * --out <model>.tq2_0.gguf (<model>.tq2_0-f16head.gguf with --head f16); an
 * existing output newer than the checkpoint is kept unless --force.
 * `--head f16` stores token_embd and output as F16 instead of the shipped BF16:
 * a variant, to see how much of llama.cpp's time is its BF16 lm_head.
 * @module
 */

import { synthesize } from "../synth.ts";

const GGML_F32 = 0, GGML_F16 = 1, GGML_BF16 = 30, GGML_TQ2_0 = 35;
const LLAMA_FTYPE_MOSTLY_TQ2_0 = 37;
const QK_K = 256, TQ2_BLOCK_BYTES = 66;
const ALIGN = 32;

// ---------------------------------------------------------------- numbers

const f32buf = new Float32Array(1), u32buf = new Uint32Array(f32buf.buffer);

/** IEEE half bits of `x`, round to nearest even (as ggml's FP32_TO_FP16). */
export function f16Bits(x: number): number {
  f32buf[0] = x;
  const u = u32buf[0];
  const sign = (u >>> 16) & 0x8000, exp = (u >>> 23) & 0xff;
  let mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e,
      half = 1 << (shift - 1),
      rem = mant & ((1 << shift) - 1);
    let h = mant >>> shift;
    if (rem > half || (rem === half && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++; // a carry into the exponent is right
  return sign | h;
}

/** The value of IEEE half bits `h`. */
export function f16Value(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >>> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

const bf16Value = (b: number) => {
  u32buf[0] = b << 16;
  return f32buf[0];
};

// ---------------------------------------------------------------- TQ2_0

/**
 * Source row (in the checkpoint's [out, in] order) of GGUF row `r` after
 * convert_hf_to_gguf's permute(n_head): reshape(n_head, 2, hd/2).swapaxes(1, 2),
 * i.e. new [h, i, j] = old [h, j, i].
 */
export function ropePermuteSource(
  r: number,
  heads: number,
  out: number,
): number {
  const hd = out / heads, half = hd / 2;
  const h = Math.floor(r / hd), rem = r % hd, i = rem >> 1, j = rem & 1;
  return h * hd + j * half + i;
}

/**
 * TQ2_0 blocks for a packed Falcon-E projection: `packed` is the checkpoint's
 * U8 [out/4, in] (row r of the ternary matrix = (packed[r % R] >> 2*(r/R)) & 3,
 * code = w + 1), `scale` the effective per-tensor scale (1/weight_scale),
 * `heads` > 0 permutes rows for RoPE (see {@linkcode ropePermuteSource}).
 * Returns out * (in/256) blocks of 66 bytes, row-major.
 */
export function packTq2(
  packed: Uint8Array,
  out: number,
  inF: number,
  scale: number,
  heads = 0,
): Uint8Array {
  if (out % 4 || inF % QK_K) {
    throw new Error(
      `TQ2_0 needs out % 4 == 0 and in % 256 == 0, got [${out}, ${inF}]`,
    );
  }
  if (packed.length !== (out / 4) * inF) {
    throw new Error(
      `packed tensor has ${packed.length} bytes, want ${out / 4}x${inF}`,
    );
  }
  const R = out / 4, nb = inF / QK_K, rowBytes = nb * TQ2_BLOCK_BYTES;
  const dst = new Uint8Array(out * rowBytes);
  const d = f16Bits(scale);
  let bad = 0;
  for (let r = 0; r < out; r++) {
    const src = heads > 0 ? ropePermuteSource(r, heads, out) : r;
    const base = (src % R) * inF, shift = 2 * Math.floor(src / R);
    for (let b = 0; b < nb; b++) {
      const o = r * rowBytes + b * TQ2_BLOCK_BYTES, k0 = base + b * QK_K;
      for (let h = 0; h < 2; h++) {
        for (let m = 0; m < 32; m++) {
          const k = k0 + h * 128 + m;
          const c0 = (packed[k] >> shift) & 3,
            c1 = (packed[k + 32] >> shift) & 3;
          const c2 = (packed[k + 64] >> shift) & 3,
            c3 = (packed[k + 96] >> shift) & 3;
          bad |= ((c0 + 1) | (c1 + 1) | (c2 + 1) | (c3 + 1)) & 4; // code 3 (invalid) sets bit 2 of code + 1
          dst[o + h * 32 + m] = c0 | (c1 << 2) | (c2 << 4) | (c3 << 6);
        }
      }
      dst[o + 64] = d & 0xff;
      dst[o + 65] = d >> 8;
    }
  }
  if (bad) throw new Error("packed tensor holds code 3 (not ternary)");
  return dst;
}

/** dequantize_row_tq2_0 of ggml-quants.c, loop for loop: `k` floats from TQ2_0 blocks. */
export function dequantTq2(blocks: Uint8Array, k: number): Float32Array {
  const y = new Float32Array(k);
  let yi = 0;
  for (let i = 0; i < k / QK_K; i++) {
    const x = blocks.subarray(i * TQ2_BLOCK_BYTES, (i + 1) * TQ2_BLOCK_BYTES);
    const d = f16Value(x[64] | (x[65] << 8));
    for (let j = 0; j < 64; j += 32) {
      for (let l = 0; l < 4; l++) {
        for (let m = 0; m < 32; m++) {
          y[yi++] = (((x[j + m] >> (l * 2)) & 3) - 1) * d;
        }
      }
    }
  }
  return y;
}

/** Row r of the full ternary matrix from the checkpoint's packed layout (falcon-e.md). */
function unpackRow(
  packed: Uint8Array,
  out: number,
  inF: number,
  r: number,
): Int8Array {
  const R = out / 4, row = new Int8Array(inF);
  for (let k = 0; k < inF; k++) {
    row[k] = ((packed[(r % R) * inF + k] >> (2 * Math.floor(r / R))) & 3) - 1;
  }
  return row;
}

// ---------------------------------------------------------------- safetensors

interface StTensor {
  dtype: string;
  shape: number[];
  start: number;
  end: number;
}

class Safetensors {
  readonly tensors = new Map<string, StTensor>();
  private constructor(readonly file: Deno.FsFile) {}

  static async open(path: string): Promise<Safetensors> {
    const file = await Deno.open(path, { read: true });
    const st = new Safetensors(file);
    const len = new DataView((await st.readRaw(0, 8)).buffer).getBigUint64(
      0,
      true,
    );
    const header = JSON.parse(
      new TextDecoder().decode(await st.readRaw(8, Number(len))),
    );
    const dataStart = 8 + Number(len);
    for (const [name, t] of Object.entries(header)) {
      if (name === "__metadata__") continue;
      const { dtype, shape, data_offsets } = t as {
        dtype: string;
        shape: number[];
        data_offsets: [number, number];
      };
      st.tensors.set(name, {
        dtype,
        shape,
        start: dataStart + data_offsets[0],
        end: dataStart + data_offsets[1],
      });
    }
    return st;
  }

  get(name: string, dtype: string): StTensor {
    const t = this.tensors.get(name);
    if (!t) throw new Error(`model.safetensors has no tensor ${name}`);
    if (t.dtype !== dtype) {
      throw new Error(`${name} is ${t.dtype}, expected ${dtype}`);
    }
    return t;
  }

  async readRaw(
    at: number,
    n: number,
    into = new Uint8Array(n),
  ): Promise<Uint8Array> {
    await this.file.seek(at, Deno.SeekMode.Start);
    for (let o = 0; o < n;) {
      const got = await this.file.read(into.subarray(o, n));
      if (got === null) {
        throw new Error(
          `model.safetensors: unexpected end of file at ${at + o}`,
        );
      }
      o += got;
    }
    return into.subarray(0, n);
  }

  read(name: string, dtype: string): Promise<Uint8Array> {
    const t = this.get(name, dtype);
    return this.readRaw(t.start, t.end - t.start);
  }

  /** The per-tensor scale of a BitLinear: 1 / weight_scale. */
  async effectiveScale(proj: string): Promise<number> {
    const b = await this.read(`${proj}.weight_scale`, "BF16");
    return 1 / bf16Value(b[0] | (b[1] << 8));
  }

  close(): void {
    this.file.close();
  }
}

// ---------------------------------------------------------------- GGUF writing

/** A growable little-endian byte builder for the GGUF header. */
class Bytes {
  buf = new Uint8Array(1 << 16);
  len = 0;
  private dv = new DataView(this.buf.buffer);
  private static enc = new TextEncoder();

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const b = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
    this.dv = new DataView(b.buffer);
  }
  u8(v: number): void {
    this.room(1);
    this.dv.setUint8(this.len, v), this.len += 1;
  }
  u32(v: number): void {
    this.room(4);
    this.dv.setUint32(this.len, v, true), this.len += 4;
  }
  i32(v: number): void {
    this.room(4);
    this.dv.setInt32(this.len, v, true), this.len += 4;
  }
  u64(v: number): void {
    this.room(8);
    this.dv.setBigUint64(this.len, BigInt(v), true), this.len += 8;
  }
  f32(v: number): void {
    this.room(4);
    this.dv.setFloat32(this.len, v, true), this.len += 4;
  }
  str(s: string): void {
    const b = Bytes.enc.encode(s);
    this.u64(b.length);
    this.room(b.length);
    this.buf.set(b, this.len), this.len += b.length;
  }
  pad(align: number): void {
    while (this.len % align) this.u8(0);
  }
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

// GGUF metadata value types
const T_U32 = 4, T_I32 = 5, T_F32 = 6, T_BOOL = 7, T_STR = 8, T_ARR = 9;
type Kv =
  | { t: typeof T_U32 | typeof T_F32 | typeof T_I32; v: number }
  | { t: typeof T_BOOL; v: boolean }
  | { t: typeof T_STR; v: string }
  | { t: typeof T_ARR; of: typeof T_STR; v: string[] }
  | { t: typeof T_ARR; of: typeof T_I32; v: number[] };

function writeKv(b: Bytes, key: string, kv: Kv): void {
  b.str(key);
  b.u32(kv.t);
  switch (kv.t) {
    case T_U32:
      return b.u32(kv.v);
    case T_I32:
      return b.i32(kv.v);
    case T_F32:
      return b.f32(kv.v);
    case T_BOOL:
      return b.u8(kv.v ? 1 : 0);
    case T_STR:
      return b.str(kv.v);
    case T_ARR:
      b.u32(kv.of);
      b.u64(kv.v.length);
      if (kv.of === T_STR) { for (const s of kv.v as string[]) b.str(s); }
      else for (const x of kv.v as number[]) b.i32(x);
  }
}

/** One GGUF tensor: ggml dims (ne0 = the contiguous "in" dimension first), type, size, and how to produce its bytes. */
interface OutTensor {
  name: string;
  dims: number[];
  type: number;
  bytes: number;
  write(w: Writer): Promise<void>;
}

class Writer {
  private buf = new Uint8Array(1 << 23);
  private n = 0;
  written = 0;
  constructor(private file: Deno.FsFile) {}
  async write(b: Uint8Array): Promise<void> {
    this.written += b.length;
    if (this.n + b.length > this.buf.length) await this.flush();
    if (b.length >= this.buf.length) return void await writeAll(this.file, b);
    this.buf.set(b, this.n);
    this.n += b.length;
  }
  async flush(): Promise<void> {
    await writeAll(this.file, this.buf.subarray(0, this.n));
    this.n = 0;
  }
}

async function writeAll(f: Deno.FsFile, b: Uint8Array): Promise<void> {
  for (let o = 0; o < b.length;) o += await f.write(b.subarray(o));
}

interface Config {
  vocab_size: number;
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads?: number;
  head_dim?: number;
  max_position_embeddings: number;
  rms_norm_eps: number;
  rope_theta?: number;
  rope_parameters?: { rope_theta?: number };
  bos_token_id?: number;
  eos_token_id?: number | number[];
  pad_token_id?: number;
  tie_word_embeddings?: boolean;
}

function tokenizerKvs(dir: string, cfg: Config): [string, Kv][] {
  const tok = JSON.parse(Deno.readTextFileSync(`${dir}/tokenizer.json`));
  if (tok.model?.type !== "BPE") {
    throw new Error(
      `tokenizer.json: model type ${tok.model?.type}, expected BPE`,
    );
  }
  const tokens = new Array<string>(cfg.vocab_size);
  const types = new Array<number>(cfg.vocab_size).fill(1); // NORMAL
  for (
    const [s, id] of Object.entries(tok.model.vocab as Record<string, number>)
  ) if (id < tokens.length) tokens[id] = s;
  for (const a of tok.added_tokens ?? []) {
    if (a.id >= tokens.length) continue;
    tokens[a.id] = a.content;
    types[a.id] = a.special ? 3 : 4; // CONTROL : USER_DEFINED
  }
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] === undefined) tokens[i] = `[PAD${i}]`, types[i] = 5; // UNUSED
  }
  const merges = (tok.model.merges as (string | [string, string])[]).map((m) =>
    typeof m === "string" ? m : m.join(" ")
  );
  const kvs: [string, Kv][] = [
    ["tokenizer.ggml.model", { t: T_STR, v: "gpt2" }],
    ["tokenizer.ggml.pre", { t: T_STR, v: "default" }],
    ["tokenizer.ggml.tokens", { t: T_ARR, of: T_STR, v: tokens }],
    ["tokenizer.ggml.token_type", { t: T_ARR, of: T_I32, v: types }],
    ["tokenizer.ggml.merges", { t: T_ARR, of: T_STR, v: merges }],
  ];
  const eos = Array.isArray(cfg.eos_token_id) ? cfg.eos_token_id[0] : cfg.eos_token_id;
  if (cfg.bos_token_id !== undefined) {
    kvs.push(["tokenizer.ggml.bos_token_id", {
      t: T_U32,
      v: cfg.bos_token_id,
    }]);
  }
  if (eos !== undefined) {
    kvs.push(["tokenizer.ggml.eos_token_id", { t: T_U32, v: eos }]);
  }
  if (cfg.pad_token_id !== undefined) {
    kvs.push(["tokenizer.ggml.padding_token_id", {
      t: T_U32,
      v: cfg.pad_token_id,
    }]);
  }
  let tc: { add_bos_token?: boolean; chat_template?: string } = {};
  try {
    tc = JSON.parse(Deno.readTextFileSync(`${dir}/tokenizer_config.json`));
  } catch { /* optional */ }
  kvs.push(["tokenizer.ggml.add_bos_token", {
    t: T_BOOL,
    v: tc.add_bos_token ?? false,
  }]);
  kvs.push(["tokenizer.ggml.add_eos_token", { t: T_BOOL, v: false }]);
  if (typeof tc.chat_template === "string") {
    kvs.push(["tokenizer.chat_template", { t: T_STR, v: tc.chat_template }]);
  }
  return kvs;
}

function plan(st: Safetensors, cfg: Config, headF16: boolean): OutTensor[] {
  const H = cfg.hidden_size, I = cfg.intermediate_size, V = cfg.vocab_size;
  const heads = cfg.num_attention_heads,
    kvHeads = cfg.num_key_value_heads ?? heads;
  const hd = cfg.head_dim ?? H / heads;
  const out: OutTensor[] = [];
  const bf16Copy = (
    name: string,
    src: string,
    rows: number,
    cols: number,
  ): OutTensor => {
    const t = st.get(src, "BF16");
    if (t.end - t.start !== rows * cols * 2) {
      throw new Error(`${src}: shape ${t.shape}, expected [${rows}, ${cols}]`);
    }
    return {
      name,
      dims: [cols, rows],
      type: headF16 ? GGML_F16 : GGML_BF16,
      bytes: rows * cols * 2,
      async write(w) {
        const chunk = new Uint8Array(1 << 22), u16 = new Uint16Array(chunk.buffer);
        for (let o = t.start; o < t.end; o += chunk.length) {
          const n = Math.min(chunk.length, t.end - o);
          await st.readRaw(o, n, chunk);
          if (headF16) { for (let i = 0; i < n / 2; i++) u16[i] = f16Bits(bf16Value(u16[i])); }
          await w.write(chunk.subarray(0, n));
        }
      },
    };
  };
  const norm = (name: string, src: string): OutTensor => ({
    name,
    dims: [H],
    type: GGML_F32,
    bytes: H * 4,
    async write(w) {
      const b = await st.read(src, "BF16");
      if (b.length !== H * 2) {
        throw new Error(`${src}: ${b.length / 2} values, expected ${H}`);
      }
      const f = new Uint32Array(H);
      for (let i = 0; i < H; i++) f[i] = (b[2 * i] | (b[2 * i + 1] << 8)) << 16;
      await w.write(new Uint8Array(f.buffer));
    },
  });
  const tern = (
    name: string,
    proj: string,
    rows: number,
    cols: number,
    permHeads = 0,
  ): OutTensor => {
    const t = st.get(`${proj}.weight`, "U8");
    if (t.shape[0] * 4 !== rows || t.shape[1] !== cols) {
      throw new Error(
        `${proj}.weight: shape [${t.shape}], expected [${rows / 4}, ${cols}]`,
      );
    }
    return {
      name,
      dims: [cols, rows],
      type: GGML_TQ2_0,
      bytes: rows * (cols / QK_K) * TQ2_BLOCK_BYTES,
      async write(w) {
        const packed = await st.read(`${proj}.weight`, "U8");
        await w.write(
          packTq2(packed, rows, cols, await st.effectiveScale(proj), permHeads),
        );
      },
    };
  };
  out.push(bf16Copy("token_embd.weight", "model.embed_tokens.weight", V, H));
  for (let l = 0; l < cfg.num_hidden_layers; l++) {
    const p = `model.layers.${l}`, b = `blk.${l}`;
    out.push(norm(`${b}.attn_norm.weight`, `${p}.input_layernorm.weight`));
    out.push(
      tern(`${b}.attn_q.weight`, `${p}.self_attn.q_proj`, heads * hd, H, heads),
    );
    out.push(
      tern(
        `${b}.attn_k.weight`,
        `${p}.self_attn.k_proj`,
        kvHeads * hd,
        H,
        kvHeads,
      ),
    );
    out.push(
      tern(`${b}.attn_v.weight`, `${p}.self_attn.v_proj`, kvHeads * hd, H),
    );
    out.push(
      tern(`${b}.attn_output.weight`, `${p}.self_attn.o_proj`, H, heads * hd),
    );
    out.push(
      norm(`${b}.ffn_norm.weight`, `${p}.post_attention_layernorm.weight`),
    );
    out.push(tern(`${b}.ffn_gate.weight`, `${p}.mlp.gate_proj`, I, H));
    out.push(tern(`${b}.ffn_up.weight`, `${p}.mlp.up_proj`, I, H));
    out.push(tern(`${b}.ffn_down.weight`, `${p}.mlp.down_proj`, H, I));
  }
  out.push(norm("output_norm.weight", "model.norm.weight"));
  if (!cfg.tie_word_embeddings) {
    out.push(bf16Copy("output.weight", "lm_head.weight", V, H));
  }
  return out;
}

/**
 * Writes `<dir>` as a TQ2_0 GGUF at `outPath`; returns its size in bytes.
 * `headF16`: token_embd and output as F16 (converted) instead of BF16 (as shipped).
 */
export async function convert(dir: string, outPath: string, headF16 = false): Promise<number> {
  const cfg: Config = JSON.parse(await Deno.readTextFile(`${dir}/config.json`));
  const st = await Safetensors.open(`${dir}/model.safetensors`);
  try {
    const heads = cfg.num_attention_heads,
      hd = cfg.head_dim ?? cfg.hidden_size / heads;
    const kvs: [string, Kv][] = [
      ["general.architecture", { t: T_STR, v: "llama" }],
      ["general.type", { t: T_STR, v: "model" }],
      ["general.name", {
        t: T_STR,
        v: `${dir.split("/").filter(Boolean).pop()} (Falcon-E, TQ2_0)`,
      }],
      ["general.alignment", { t: T_U32, v: ALIGN }],
      ["general.file_type", { t: T_U32, v: LLAMA_FTYPE_MOSTLY_TQ2_0 }],
      ["general.quantization_version", { t: T_U32, v: 2 }],
      ["llama.vocab_size", { t: T_U32, v: cfg.vocab_size }],
      ["llama.context_length", { t: T_U32, v: cfg.max_position_embeddings }],
      ["llama.embedding_length", { t: T_U32, v: cfg.hidden_size }],
      ["llama.block_count", { t: T_U32, v: cfg.num_hidden_layers }],
      ["llama.feed_forward_length", { t: T_U32, v: cfg.intermediate_size }],
      ["llama.attention.head_count", { t: T_U32, v: heads }],
      ["llama.attention.head_count_kv", {
        t: T_U32,
        v: cfg.num_key_value_heads ?? heads,
      }],
      ["llama.attention.key_length", { t: T_U32, v: hd }],
      ["llama.attention.value_length", { t: T_U32, v: hd }],
      ["llama.rope.freq_base", {
        t: T_F32,
        v: cfg.rope_theta ?? cfg.rope_parameters?.rope_theta ?? 10000,
      }],
      ["llama.attention.layer_norm_rms_epsilon", {
        t: T_F32,
        v: cfg.rms_norm_eps,
      }],
      ["llama.rope.dimension_count", { t: T_U32, v: hd }],
      ...tokenizerKvs(dir, cfg),
    ];
    const tensors = plan(st, cfg, headF16);
    const h = new Bytes();
    h.u32(0x46554747); // "GGUF"
    h.u32(3);
    h.u64(tensors.length);
    h.u64(kvs.length);
    for (const [k, v] of kvs) writeKv(h, k, v);
    let off = 0;
    const offsets: number[] = [];
    for (const t of tensors) {
      h.str(t.name);
      h.u32(t.dims.length);
      for (const d of t.dims) h.u64(d);
      h.u32(t.type);
      h.u64(off);
      offsets.push(off);
      off += t.bytes + ((ALIGN - (t.bytes % ALIGN)) % ALIGN);
    }
    h.pad(ALIGN);
    const tmp = `${outPath}.partial`;
    using f = await Deno.open(tmp, {
      write: true,
      create: true,
      truncate: true,
    });
    const w = new Writer(f);
    await w.write(h.bytes());
    const dataStart = h.len;
    for (let i = 0; i < tensors.length; i++) {
      const before = w.written;
      await tensors[i].write(w);
      if (w.written - before !== tensors[i].bytes) {
        throw new Error(
          `${tensors[i].name}: wrote ${w.written - before} bytes, planned ${tensors[i].bytes}`,
        );
      }
      const padding = (ALIGN - (tensors[i].bytes % ALIGN)) % ALIGN;
      if (padding) await w.write(new Uint8Array(padding));
      if (w.written - dataStart !== (offsets[i + 1] ?? off)) {
        throw new Error(`offset mismatch after ${tensors[i].name}`);
      }
    }
    await w.flush();
    await Deno.rename(tmp, outPath);
    return w.written;
  } finally {
    st.close();
  }
}

// ---------------------------------------------------------------- self-check

function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13, s ^= s >>> 17, s ^= s << 5;
    return s >>> 0;
  };
}

/** Compares decoded TQ2_0 rows (ggml's dequantizer) with the checkpoint's unpacked rows; returns rows checked. */
function checkRows(
  label: string,
  packed: Uint8Array,
  out: number,
  inF: number,
  scale: number,
  heads: number,
  rows: number[],
): number {
  const blocks = packTq2(packed, out, inF, scale, heads);
  const rowBytes = (inF / QK_K) * TQ2_BLOCK_BYTES;
  const d = f16Value(f16Bits(scale));
  if (Math.abs(d - scale) > scale * 1e-3) {
    throw new Error(`${label}: f16 scale ${d} vs ${scale}`);
  }
  for (const r of rows) {
    const got = dequantTq2(
      blocks.subarray(r * rowBytes, (r + 1) * rowBytes),
      inF,
    );
    // expected: checkpoint row (after the reshape/swapaxes permute, written out as index arithmetic)
    let src = r;
    if (heads > 0) {
      const hd = out / heads,
        hIdx = Math.floor(r / hd),
        i = Math.floor((r % hd) / 2),
        j = r % 2;
      src = hIdx * hd + j * (hd / 2) + i;
    }
    const want = unpackRow(packed, out, inF, src);
    for (let k = 0; k < inF; k++) {
      if (got[k] !== want[k] * d) {
        throw new Error(
          `${label}: row ${r} col ${k}: TQ2_0 gives ${got[k]}, want ${want[k] * d}`,
        );
      }
    }
  }
  return rows.length;
}

async function selfCheck(dir: string): Promise<void> {
  // 1. f16 conversion on a few values
  for (
    const [x, bits] of [
      [1, 0x3c00],
      [0.5, 0x3800],
      [-2, 0xc000],
      [65504, 0x7bff],
      [1e-8, 0],
      [0.1, 0x2e66],
    ] as const
  ) {
    if (f16Bits(x) !== bits) {
      throw new Error(
        `f16Bits(${x}) = ${f16Bits(x).toString(16)}, want ${bits.toString(16)}`,
      );
    }
  }
  // 2. a small random packed tensor (16 rows x 512, 2 heads), plain and rope-permuted
  const next = prng(7);
  const out = 16, inF = 512, packed = new Uint8Array((out / 4) * inF);
  for (let i = 0; i < packed.length; i++) {
    let v = 0;
    for (let s = 0; s < 8; s += 2) v |= (next() % 3) << s;
    packed[i] = v;
  }
  const all = Array.from({ length: out }, (_, i) => i);
  let n = checkRows("synthetic", packed, out, inF, 0.7, 0, all);
  n += checkRows("synthetic permuted", packed, out, inF, 0.7, 2, all);
  // 3. real tensors of the checkpoint, if present
  try {
    await Deno.stat(`${dir}/model.safetensors`);
  } catch {
    console.error(
      `self-check: ${dir}/model.safetensors absent, checked ${n} synthetic rows only`,
    );
    return;
  }
  const cfg: Config = JSON.parse(await Deno.readTextFile(`${dir}/config.json`));
  const st = await Safetensors.open(`${dir}/model.safetensors`);
  try {
    const heads = cfg.num_attention_heads,
      kvHeads = cfg.num_key_value_heads ?? heads;
    for (
      const [proj, ph] of [["self_attn.q_proj", heads], [
        "self_attn.k_proj",
        kvHeads,
      ], ["mlp.down_proj", 0]] as const
    ) {
      const name = `model.layers.0.${proj}`, t = st.get(`${name}.weight`, "U8");
      const o = t.shape[0] * 4, i = t.shape[1], R = o / 4;
      const rows = [
        0,
        1,
        2,
        63,
        64,
        127,
        R - 1,
        R,
        2 * R + 5,
        o - 1,
        next() % o,
        next() % o,
      ];
      n += checkRows(
        name,
        await st.read(`${name}.weight`, "U8"),
        o,
        i,
        await st.effectiveScale(name),
        ph,
        rows,
      );
    }
  } finally {
    st.close();
  }
  console.error(
    `self-check: ok (${n} rows: TQ2_0 decoded with ggml's dequantize_row_tq2_0 == checkpoint rows x scale)`,
  );
}

// ---------------------------------------------------------------- main

if (import.meta.main) {
  const argv = Deno.args;
  const flag = (k: string) => {
    const i = argv.indexOf(`--${k}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const dir = (flag("model") ?? "/tmp/falcon-e-synth/falcon-e-1b").replace(
    /\/+$/,
    "",
  );
  const head = flag("head") ?? "bf16";
  if (head !== "bf16" && head !== "f16") {
    console.error("error: --head must be bf16 or f16");
    Deno.exit(2);
  }
  const outPath = flag("out") ?? `${dir}.tq2_0${head === "f16" ? "-f16head" : ""}.gguf`;
  try {
    if (argv.includes("--self-check")) {
      await selfCheck(dir);
      Deno.exit(0);
    }
    let src: Deno.FileInfo;
    try {
      src = await Deno.stat(`${dir}/model.safetensors`);
    } catch {
      console.error(`synthesizing ${dir} ...`);
      await synthesize("falcon-e-1b", dir, 1);
      src = await Deno.stat(`${dir}/model.safetensors`);
    }
    const existing = await Deno.stat(outPath).catch(() => null);
    if (
      !argv.includes("--force") && existing?.mtime && src.mtime &&
      existing.mtime >= src.mtime
    ) {
      console.error(
        `${outPath} is up to date (${existing.size} bytes; --force to rewrite)`,
      );
    } else {
      const t0 = performance.now();
      const size = await convert(dir, outPath, head === "f16");
      console.error(
        `wrote ${outPath} (${size} bytes) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    }
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
