/**
 * `deno task synth --shape falcon-e-1b|falcon-e-3b|tiny --out DIR [--seed N]`:
 * writes a random-weight checkpoint in exactly the Hugging Face format and
 * size of the real models (the 1B's model.safetensors is 665,041,488 bytes),
 * so speed and memory are measured at real size without the download.
 * With it come tokenizer.json and tokenizer_config.json (a synthetic
 * byte-level BPE of exactly vocab_size entries; the tiny shape gets the
 * fixture's own files), so `deno task serve` and `cli generate --prompt` run
 * on it. Deterministic per seed; streams to disk in a few seconds.
 * @module
 */

import { intFlag, parseTask, type TaskSpec, UsageError } from "../src/cli/args.ts";
import { expectedTensors, type TensorSpec } from "../src/load/checkpoint.ts";
import { parseConfig } from "../src/load/config.ts";

/** The tiny fixture checkpoint: source of the tokenizer structure and special tokens. */
const FIXTURE = new URL("../tests/fixtures/tiny-falcon-e/", import.meta.url);

/** config.json of each synthetic shape (dimensions as falcon-e.md lists them). */
export const SHAPES: Record<string, Record<string, unknown>> = {
  "falcon-e-1b": shape(24, 9216),
  "falcon-e-3b": shape(32, 13312),
  tiny: { ...shape(2, 512), hidden_size: 256, num_attention_heads: 4, head_dim: 64, vocab_size: 640 },
  // the real vocabulary on a small body: a model slow enough to interrupt in tests, fast to write
  small: { ...shape(4, 2048), hidden_size: 512, num_attention_heads: 4, head_dim: 128 },
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
  for (let i = 0; i < 81; i++) {
    codes[i] = (i % 3) | ((Math.floor(i / 3) % 3) << 2) | ((Math.floor(i / 9) % 3) << 4) | (Math.floor(i / 27) << 6);
  }
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

/** The layout of a shape's model.safetensors, computed without writing it. */
export interface SafetensorsLayout {
  /** Tensors in file order. */
  specs: TensorSpec[];
  /** The 8-byte length prefix plus the JSON header (space-padded to 8 bytes). */
  head: Uint8Array;
  /** Bytes of tensor data after the header. */
  dataBytes: number;
  /** The whole file: `head.length + dataBytes`. */
  fileBytes: number;
}

function shapeConfig(shapeName: string): Record<string, unknown> {
  const cfgJson = SHAPES[shapeName];
  if (!cfgJson) throw new UsageError(`--shape must be one of ${Object.keys(SHAPES).join(", ")}`);
  return cfgJson;
}

/**
 * The header, tensor order and size of the model.safetensors that
 * {@linkcode synthesize} writes for `shapeName` (e.g. 665,041,488 bytes for
 * falcon-e-1b), without writing any data.
 */
export function safetensorsLayout(shapeName: string): SafetensorsLayout {
  const config = parseConfig(JSON.stringify(shapeConfig(shapeName)));
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
  const head = new Uint8Array(8 + json.length);
  new DataView(head.buffer).setBigUint64(0, BigInt(json.length), true);
  head.set(new TextEncoder().encode(json), 8);
  return { specs, head, dataBytes: off, fileBytes: head.length + off };
}

/**
 * Writes `config.json`, `generation_config.json`, `tokenizer.json`,
 * `tokenizer_config.json` and `model.safetensors` for `shapeName` into `out`.
 * Returns the safetensors size in bytes.
 */
export async function synthesize(shapeName: string, out: string, seed = 1): Promise<number> {
  const cfgJson = shapeConfig(shapeName);
  const { specs, head, fileBytes } = safetensorsLayout(shapeName);
  const next = prng(seed);
  const { codes, normal, small } = tables(next);
  await Deno.mkdir(out, { recursive: true });
  await Deno.writeTextFile(`${out}/config.json`, JSON.stringify(cfgJson, null, 2) + "\n");
  await Deno.writeTextFile(
    `${out}/generation_config.json`,
    JSON.stringify({ bos_token_id: 1, eos_token_id: 2, pad_token_id: 0 }, null, 2) + "\n",
  );
  const tok = tokenizerFiles(shapeName, seed);
  await Deno.writeTextFile(`${out}/tokenizer.json`, tok.tokenizerJson);
  await Deno.writeTextFile(`${out}/tokenizer_config.json`, tok.tokenizerConfigJson);
  using f = await Deno.open(`${out}/model.safetensors`, { write: true, create: true, truncate: true });
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
  return fileBytes;
}

/** The tokenizer files of a synthetic checkpoint, as file texts. */
export interface TokenizerFiles {
  /** Text of tokenizer.json. */
  tokenizerJson: string;
  /** Text of tokenizer_config.json. */
  tokenizerConfigJson: string;
}

/**
 * tokenizer.json and tokenizer_config.json for `shapeName`: the fixture's own
 * files for `tiny` (its vocabulary is the tiny shape's 640), else a synthetic
 * byte-level BPE of exactly the shape's vocab_size entries
 * ({@linkcode buildTokenizerJson}) with the fixture's tokenizer_config.json
 * (special tokens, ChatML template), `model_max_length` set to the shape's
 * max_position_embeddings.
 */
export function tokenizerFiles(shapeName: string, seed = 1): TokenizerFiles {
  const cfg = shapeConfig(shapeName);
  const fixtureConfig = Deno.readTextFileSync(new URL("tokenizer_config.json", FIXTURE));
  if (shapeName === "tiny") {
    return {
      tokenizerJson: Deno.readTextFileSync(new URL("tokenizer.json", FIXTURE)),
      tokenizerConfigJson: fixtureConfig,
    };
  }
  const config = { ...JSON.parse(fixtureConfig), model_max_length: cfg.max_position_embeddings };
  return {
    tokenizerJson: buildTokenizerJson(cfg.vocab_size as number, seed),
    tokenizerConfigJson: JSON.stringify(config, null, 2) + "\n",
  };
}

/** GPT-2's byte-level alphabet: the printable character standing for each byte. */
function byteSymbols(): string[] {
  const sym = new Array<string>(256);
  for (let b = 0; b < 256; b++) {
    if ((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174) sym[b] = String.fromCharCode(b);
  }
  let n = 0;
  for (let b = 0; b < 256; b++) sym[b] ??= String.fromCharCode(256 + n++);
  return sym;
}

/**
 * The text of a byte-level BPE tokenizer.json with exactly `vocabSize`
 * entries: the fixture's normalizer, pre-tokenizer, post-processor, decoder
 * and added tokens (the five special tokens at ids 0-4), the 256 byte symbols
 * (ids 5-260, in code point order like the fixture), then `vocabSize - 261`
 * merges, each of two existing tokens and each adding its result as the next
 * id: first the fixture's own merges (English pieces), then merges drawn per
 * seed, biased towards older (shorter) tokens and kept to pieces the
 * pre-tokenizer can keep together: letter words with and without the leading
 * space symbol, punctuation runs, whitespace runs, 2- and 3-byte UTF-8
 * characters. Any text round-trips: every byte has a token and every merge
 * result is in the vocabulary. ~0.1-0.2 s for 32768 entries (about 1 MB).
 */
export function buildTokenizerJson(vocabSize: number, seed = 1): string {
  const fixture = JSON.parse(Deno.readTextFileSync(new URL("tokenizer.json", FIXTURE)));
  const added = fixture.added_tokens as { id: number; content: string }[];
  const vocab = new Map<string, number>();
  added.forEach((t, i) => {
    if (t.id !== i) throw new Error(`fixture tokenizer.json: added token ${t.content} has id ${t.id}, expected ${i}`);
    vocab.set(t.content, t.id);
  });
  const sym = byteSymbols();
  for (const s of [...sym].sort()) vocab.set(s, vocab.size);
  if (!Number.isInteger(vocabSize) || vocabSize < vocab.size) {
    throw new RangeError(`vocabSize must be an integer >= ${vocab.size}, got ${vocabSize}`);
  }
  const rand = prng((Math.imul(seed, 0x9e3779b1) ^ 0x70c3) >>> 0);
  const u = () => rand() / 4294967296;
  /** An element, biased towards the front (older, shorter, more frequent tokens). */
  const pick = (a: string[]) => a[Math.floor(a.length * u() * u() * u())];
  const SP = sym[0x20], NL = sym[0x0a], TAB = sym[0x09];
  // Pools of tokens each kind of merge draws from, most frequent first.
  const words = [..."etaoinsrhldcumfpgwybvkxjqzTSACMBPIDRHLFEWNGOJKUVYQZX"]; // letters, no leading space
  const spaced = [SP]; // space + word
  const punct = [...`.,-'"()/:;!?_*[]&#%=+<>@$|~^\`{}\\`];
  const punctBase = punct.slice();
  const space = [SP, NL, TAB, sym[0x0d]];
  const utf8Chars: string[] = []; // complete 2- and 3-byte characters
  const utf8Heads: string[] = []; // first two bytes of a 3-byte character
  const LEADS2 = [0xc3, 0xc3, 0xc3, 0xc3, 0xc5, 0xc4, 0xce, 0xcf, 0xd0, 0xd1];
  const LEADS3 = [0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9]; // kana, CJK
  const cont = () => sym[0x80 + (rand() & 63)];
  const merges: [string, string][] = [];
  const add = (a: string, b: string, pool: string[], maxLen: number): void => {
    const t = a + b;
    if (t.length > maxLen || vocab.has(t) || vocab.size >= vocabSize) return;
    vocab.set(t, vocab.size);
    merges.push([a, b]);
    pool.push(t);
  };
  // The fixture's merges first (English pieces: "er", "Ġthe", ...), then random ones.
  for (const [a, b] of fixture.model.merges as [string, string][]) {
    const t = a + b;
    add(a, b, /^[a-zA-Z]+$/.test(t) ? words : /^Ġ[a-zA-Z]+$/.test(t) ? spaced : [], 64);
  }
  for (let tries = 0; vocab.size < vocabSize; tries++) {
    if (tries > 100 * vocabSize) throw new Error(`cannot find ${vocabSize} distinct merges`);
    const r = u();
    if (r < 0.5) add(pick(words), pick(words), words, 14);
    else if (r < 0.84) add(pick(spaced), pick(words), spaced, 15);
    else if (r < 0.9) {
      const k = u();
      if (k < 0.3) add(sym[LEADS2[rand() % LEADS2.length]], cont(), utf8Chars, 2);
      else if (k < 0.4) add(sym[LEADS3[rand() % LEADS3.length]], cont(), utf8Heads, 2);
      else if (k < 0.55 && utf8Heads.length) add(pick(utf8Heads), cont(), utf8Chars, 3);
      else if (utf8Chars.length) {
        // letters of other scripts join words like ASCII letters do (\p{L}+)
        const j = u();
        if (j < 0.3) add(SP, pick(utf8Chars), spaced, 15);
        else if (j < 0.6) add(pick(words), pick(utf8Chars), words, 14);
        else if (j < 0.8) add(pick(utf8Chars), pick(words), words, 14);
        else add(pick(utf8Chars), pick(utf8Chars), words, 14);
      }
    } else if (r < 0.97) add(pick(punct), pick(punctBase), punct, 4);
    else add(pick(space), pick(space), space, 16);
  }
  const model = {
    ...fixture.model,
    vocab: "@VOCAB@",
    merges: "@MERGES@",
  };
  const out = { ...fixture, model };
  // Hand-written vocab so ids stay in order ("0".."9" would jump ahead in a JS object).
  const vocabText = "{" + [...vocab].map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",") + "}";
  return JSON.stringify(out).replace('"@VOCAB@"', () => vocabText).replace('"@MERGES@"', () => JSON.stringify(merges)) +
    "\n";
}

async function writeAll(f: Deno.FsFile, b: Uint8Array): Promise<void> {
  for (let o = 0; o < b.length;) o += await f.write(b.subarray(o));
}

if (import.meta.main) {
  try {
    const spec: TaskSpec = {
      usage: "deno task synth --shape falcon-e-1b|falcon-e-3b|tiny|small --out DIR [--seed N]",
      about:
        "Writes a random-weight checkpoint of a real shape, in the Hugging Face format and size, with a tokenizer.",
      options: {
        shape: {
          type: "string",
          value: "SHAPE",
          choices: Object.keys(SHAPES),
          help: "the shape (default falcon-e-1b)",
        },
        out: { type: "string", value: "DIR", help: "the directory to write (required)" },
        seed: { type: "string", value: "N", int: [0, 2 ** 31], help: "the weights' seed (default 1)" },
      },
    };
    const args = parseTask(Deno.args, spec);
    if (!args) Deno.exit(0);
    const out = args.flags.get("out");
    if (!out) throw new UsageError("--out is required: the directory to write the checkpoint to");
    const t0 = performance.now();
    const size = await synthesize(args.flags.get("shape") ?? "falcon-e-1b", out, intFlag(args, "seed", 1)!);
    console.error(
      `wrote ${out}/model.safetensors (${size} bytes), config and tokenizer files in ${
        ((performance.now() - t0) / 1000).toFixed(1)
      } s`,
    );
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(e instanceof UsageError ? 2 : 1);
  }
}
