/**
 * The pre-laid-out image: one file whose bytes are the engine's weight
 * region exactly as it sits in wasm memory (aligned, already in the SIMD
 * kernels' layout), with config and tokenizer files embedded. Loading it is
 * one sequential read into place: no header walk, no repacking.
 *
 *   "FALCONE\x01" | u32 header length | header JSON | pad to 64 | weight image
 *
 * The header records a fingerprint of the layout (every tensor's address and
 * size, and the kernel build); an image made by another build is refused.
 * @module
 */

import { createHash } from "node:crypto";
import { type ModelConfig, parseConfig } from "./config.ts";
import { CheckpointError, expectedTensors } from "./checkpoint.ts";
import type { LoadOptions } from "./options.ts";
import { kernelsOf, type Model } from "../engine/model.ts";
import { type ByteReader, type ModelSource, readExactly, SourceError } from "./source/mod.ts";
import { createEngine, type Engine, finishEngine, stopEngine } from "../engine/create.ts";
import { lmHeadSink } from "./lm_head_sink.ts";
import { readInto } from "./sink.ts";
import { LmHead, Tensor } from "../engine/abi.ts";
import type { KernelExports } from "../engine/kernels.ts";

const MAGIC = new TextEncoder().encode("FALCONE\x01");
/** The extension `deno task convert` writes. */
export const IMAGE_EXTENSION = ".feimg";
/** Files embedded in an image, when the checkpoint has them. */
export const EMBEDDED_FILES = ["config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json"];

interface ImageHeader {
  version: 1;
  files: Record<string, string>;
  layout: { fingerprint: string; base: number; bytes: number };
}

/** The weight region of a created model and the fingerprint of its layout. */
function layoutOf(k: KernelExports, configText: string): { fingerprint: string; base: number; bytes: number } {
  const config = parseConfig(configText);
  const h = createHash("sha256");
  h.update(`kernel:${k.kernel_path()}`);
  h.update(`layout:${k.weights_layout()}`);
  let base = Infinity, end = 0;
  for (const t of expectedTensors(config)) {
    const p = k.tensor_ptr(t.kind, t.layer), n = k.tensor_bytes(t.kind, t.layer);
    h.update(`${t.name}@${p}+${n};`);
    base = Math.min(base, p);
    end = Math.max(end, p + n);
  }
  return { fingerprint: h.digest("hex"), base, bytes: end - base };
}

/**
 * Writes the image of a loaded model to `out`, streaming the weight region
 * from wasm memory (no copy).
 *
 * @param model A model loaded from its checkpoint.
 * @param files The checkpoint's text files to embed (config.json is required).
 * @param out Path of the image file.
 * @param onProgress Called with bytes written and the total.
 */
export async function writeImage(
  model: Model,
  files: Record<string, string>,
  out: string,
  onProgress?: (written: number, total: number) => void,
): Promise<number> {
  const k = kernelsOf.get(model);
  if (!k || !files["config.json"]) throw new Error("writeImage needs a loaded model and its config.json");
  if (k.lm_head_mode() !== LmHead.BF16) {
    throw new Error('writeImage needs the BF16 lm_head as shipped (load without lmHead: "int8")');
  }
  const layout = layoutOf(k, files["config.json"]);
  const header: ImageHeader = { version: 1, files, layout };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headLen = MAGIC.length + 4 + json.length;
  const pad = (64 - (headLen % 64)) % 64;
  const head = new Uint8Array(headLen + pad);
  head.set(MAGIC);
  new DataView(head.buffer).setUint32(MAGIC.length, json.length, true);
  head.set(json, MAGIC.length + 4);
  using f = await Deno.open(out, { write: true, create: true, truncate: true });
  await writeAll(f, head);
  const region = new Uint8Array(k.memory.buffer, layout.base, layout.bytes);
  const CHUNK = 8 << 20;
  for (let o = 0; o < region.length; o += CHUNK) {
    await writeAll(f, region.subarray(o, Math.min(region.length, o + CHUNK)));
    onProgress?.(Math.min(region.length, o + CHUNK), region.length);
  }
  return head.length + region.length;
}

async function writeAll(f: Deno.FsFile, b: Uint8Array): Promise<void> {
  for (let o = 0; o < b.length;) o += await f.write(b.subarray(o));
}

/** Whether `file` names an image rather than a checkpoint directory. */
export function isImagePath(file: string): boolean {
  return file.endsWith(IMAGE_EXTENSION);
}

/**
 * Loads an image: header, then the weight region read straight into place.
 *
 * @param src The source holding the image file.
 * @param file The image's file name within `src`.
 * @param options Context length, sessions, block size, kernels, progress, memory limit.
 * @returns The model and the embedded text files (config, tokenizer).
 */
export async function loadImageFrom(
  src: ModelSource,
  file: string,
  options: LoadOptions = {},
): Promise<{ model: Model; files: Record<string, string> }> {
  const r = await src.open(file, 0);
  try {
    const magic = new Uint8Array(MAGIC.length + 4);
    await readExactly(r, magic, file, "the image header");
    if (!MAGIC.every((b, i) => magic[i] === b)) {
      throw new SourceError(`${file}: not a Falcon-E image (bad magic); convert with deno task convert`);
    }
    const len = new DataView(magic.buffer).getUint32(MAGIC.length, true);
    if (len > 64 << 20) throw new SourceError(`${file}: image header length ${len} is implausible (corrupt file?)`);
    const json = new Uint8Array(len);
    await readExactly(r, json, file, "the image header");
    let header: ImageHeader;
    try {
      header = JSON.parse(new TextDecoder().decode(json));
    } catch (e) {
      throw new SourceError(`${file}: the image header is not valid JSON (${(e as Error).message})`);
    }
    if (header.version !== 1 || !header.files?.["config.json"] || !header.layout) {
      throw new SourceError(`${file}: unsupported image version ${header.version}`);
    }
    const skip = new Uint8Array((64 - ((MAGIC.length + 4 + len) % 64)) % 64);
    await readExactly(r, skip, file, "the image header");
    const config = parseConfig(header.files["config.json"], header.files["generation_config.json"]);
    const engine = await createEngine(config, options, file);
    try {
      const at = { headBytes: MAGIC.length + 4 + len + skip.length, header };
      const model = await fillImage(engine, r, file, `${src.location}/${file}`, at, config, options);
      return { model, files: header.files };
    } catch (e) {
      stopEngine(engine);
      throw e;
    }
  } finally {
    await r.close();
  }
}

/** Where an image's weight region starts in its file, and the header it has. */
interface ImageAt {
  /** Bytes before the weight region (magic, length, header JSON, padding). */
  headBytes: number;
  /** The parsed header. */
  header: ImageHeader;
}

/** Reads the weight region of an image (the reader stands at it) into the engine's memory; the model. */
async function fillImage(
  engine: Engine,
  r: ByteReader,
  file: string,
  where: string,
  at: ImageAt,
  config: ModelConfig,
  options: LoadOptions,
): Promise<Model> {
  const { k } = engine;
  const layout = layoutOf(k, at.header.files["config.json"]);
  if (layout.fingerprint !== at.header.layout.fingerprint || layout.bytes !== at.header.layout.bytes) {
    throw new CheckpointError(
      `${file}: the image was made by another kernel build (layout differs); convert the checkpoint again`,
    );
  }
  if (r.size !== undefined && r.size < at.headBytes + layout.bytes) {
    throw new SourceError(`${file}: the image is truncated (${r.size} bytes, needs ${at.headBytes + layout.bytes})`);
  }
  // The lm_head is the last tensor of the region: everything before it is
  // read straight into place, the lm_head through its sink (int8: quantized
  // as it streams in, see lm_head_sink.ts).
  const lmAt = k.tensor_ptr(Tensor.LM_HEAD, 0) - layout.base;
  if (lmAt + k.tensor_bytes(Tensor.LM_HEAD, 0) !== layout.bytes) {
    throw new Error("internal: the lm_head is not the last tensor of the weight region");
  }
  const CHUNK = 16 << 20;
  let done = at.headBytes;
  const total = done + layout.bytes;
  const read = async (view: Uint8Array) => {
    await readExactly(r, view, file, "the weight image"); // straight into wasm memory
    done += view.length;
    options.onProgress?.(done, total);
  };
  await readInto(lmAt, { dest: new Uint8Array(k.memory.buffer, layout.base, lmAt) }, CHUNK, read);
  await readInto(layout.bytes - lmAt, lmHeadSink(k, config.vocabSize, config.hiddenSize, true), CHUNK, read);
  return finishEngine(engine, config, where);
}
