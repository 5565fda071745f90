/**
 * `deno task synth --shape falcon-e-1b|falcon-e-3b|tiny --out DIR [--seed N]`:
 * writes a random-weight checkpoint in exactly the Hugging Face format and
 * size of the real models (the 1B's model.safetensors is 665,041,488 bytes),
 * so speed and memory are measured at real size without the download.
 * Deterministic per seed; streams to disk in a few seconds.
 * @module
 */

import { parseArgs, intFlag, UsageError } from "../src/args.ts";
import { expectedTensors } from "../src/checkpoint.ts";
import { parseConfig } from "../src/config.ts";

/** config.json of each synthetic shape (dimensions as falcon-e.md lists them). */
export const SHAPES: Record<string, Record<string, unknown>> = {
  "falcon-e-1b": shape(24, 9216),
  "falcon-e-3b": shape(32, 13312),
  tiny: { ...shape(2, 512), hidden_size: 256, num_attention_heads: 4, head_dim: 64, vocab_size: 640 },
};

function shape(layers: number, inter: number): Record<string, unknown> {
  return {
    architectures: ["LlamaForCausalLM"],
    model_type: "llama",
    vocab_size: 32768,
    hidden_size: 2048,
    intermediate_size: inter,
    num_hidden_layers: layers,
    num_attention_heads: 16,
    num_key_value_heads: 2,
    head_dim: 128,
    hidden_act: "silu",
    max_position_embeddings: 8192,
    rms_norm_eps: 1e-5,
    rope_theta: 1000042.0,
    bos_token_id: 1,
    eos_token_id: 2,
    pad_token_id: 0,
    tie_word_embeddings: false,
    torch_dtype: "bfloat16",
    quantization_config: { quant_method: "bitnet", modules_to_not_convert: ["lm_head"] },
  };
}

/** xorshift128+ style generator on 32-bit halves: fast and deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0 || 1, b = 0x9e3779b9, c = 0x243f6a88, d = 0xb7e15162;
  return () => {
    const t = a ^ (a << 11);
    a = b, b = c, c = d;
    d = (d ^ (d >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
    return d;
  };
}

function bf16(x: number): number {
  return new Uint32Array(new Float32Array([x]).buffer)[0] >>> 16;
}

/** Tables of valid values: bytes of four ternary codes (0..2), bf16 near-normal values. */
function tables(next: () => number) {
  const codes = new Uint8Array(81);
  for (let i = 0; i < 81; i++) codes[i] = (i % 3) | ((Math.floor(i / 3) % 3) << 2) | ((Math.floor(i / 9) % 3) << 4) | (Math.floor(i / 27) << 6);
  // near-normal values (sum of four uniforms), std 1 and std 0.02
  const normal = new Uint16Array(65536), small = new Uint16Array(65536);
  for (let i = 0; i < normal.length; i++) {
    let s = 0;
    for (let j = 0; j < 4; j++) s += next() / 4294967296;
    const v = (s - 2) * 1.7320508;
    normal[i] = bf16(v);
    small[i] = bf16(v * 0.02);
  }
  return { codes, normal, small };
}

/**
 * Writes `config.json`, `generation_config.json` and `model.safetensors` for
 * `shapeName` into `out`. Returns the safetensors size in bytes.
 */
export async function synthesize(shapeName: string, out: string, seed = 1): Promise<number> {
  const cfgJson = SHAPES[shapeName];
  if (!cfgJson) throw new UsageError(`--shape must be one of ${Object.keys(SHAPES).join(", ")}`);
  const config = parseConfig(JSON.stringify(cfgJson));
  const next = prng(seed);
  const { codes, normal, small } = tables(next);
  // safetensors order: larger dtype alignment first (BF16 before U8), then by name.
  const specs = expectedTensors(config).sort((x, y) =>
    x.dtype === y.dtype ? (x.name < y.name ? -1 : 1) : x.dtype === "BF16" ? -1 : 1
  );
  const header: Record<string, unknown> = { __metadata__: { format: "pt" } };
  let off = 0;
  for (const s of specs) {
    const bytes = s.shape.reduce((a, b) => a * b, 1) * (s.dtype === "BF16" ? 2 : 1);
    header[s.name] = { dtype: s.dtype, shape: s.shape, data_offsets: [off, off + bytes] };
    off += bytes;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  await Deno.mkdir(out, { recursive: true });
  await Deno.writeTextFile(`${out}/config.json`, JSON.stringify(cfgJson, null, 2) + "\n");
  await Deno.writeTextFile(`${out}/generation_config.json`, JSON.stringify({ bos_token_id: 1, eos_token_id: 2, pad_token_id: 0 }, null, 2) + "\n");
  using f = await Deno.open(`${out}/model.safetensors`, { write: true, create: true, truncate: true });
  const head = new Uint8Array(8 + json.length);
  new DataView(head.buffer).setBigUint64(0, BigInt(json.length), true);
  head.set(new TextEncoder().encode(json), 8);
  await writeAll(f, head);
  const buf = new Uint8Array(1 << 22);
  const u16 = new Uint16Array(buf.buffer);
  for (const s of specs) {
    let left = s.shape.reduce((a, b) => a * b, 1) * (s.dtype === "BF16" ? 2 : 1);
    const isScale = s.name.endsWith("weight_scale");
    const isNorm = s.name.endsWith("norm.weight");
    const table = s.name.includes("embed") ? normal : small;
    while (left > 0) {
      const n = Math.min(left, buf.length);
      if (s.dtype === "U8") {
        for (let i = 0; i < n; i += 2) {
          const r = next();
          buf[i] = codes[(r & 0xffff) % 81];
          buf[i + 1] = codes[(r >>> 16) % 81];
        }
      } else if (isScale) {
        u16[0] = bf16(1.4 + (next() % 1000) / 5000); // ~1 / mean|W| of a third-zero ternary matrix
      } else if (isNorm) {
        for (let i = 0; i < n / 2; i++) u16[i] = bf16(1 + ((next() % 2000) - 1000) / 10000);
      } else {
        for (let i = 0; i < n / 2; i += 2) {
          const r = next();
          u16[i] = table[r & 0xffff];
          u16[i + 1] = table[r >>> 16];
        }
      }
      await writeAll(f, buf.subarray(0, n));
      left -= n;
    }
  }
  return 8 + json.length + off;
}

async function writeAll(f: Deno.FsFile, b: Uint8Array): Promise<void> {
  for (let o = 0; o < b.length;) o += await f.write(b.subarray(o));
}

if (import.meta.main) {
  try {
    const args = parseArgs(Deno.args);
    const out = args.flags.get("out");
    if (!out) throw new UsageError("usage: deno task synth --shape falcon-e-1b|falcon-e-3b|tiny --out DIR [--seed N]");
    const t0 = performance.now();
    const size = await synthesize(args.flags.get("shape") ?? "falcon-e-1b", out, intFlag(args, "seed", 1, 0));
    console.error(`wrote ${out}/model.safetensors: ${size} bytes in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(e instanceof UsageError ? 2 : 1);
  }
}
