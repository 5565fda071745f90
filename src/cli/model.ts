/**
 * What every model-loading task does with `--model` and the engine flags: a
 * directory, a URL base or a `.feimg` image is used as it is; a Hugging Face
 * repo id (`owner/name`) is downloaded once into the local cache, with a
 * progress bar.
 * @module
 */

import type { TextModelOptions } from "../generate/text_model.ts";
import { downloadRepo, isRepoId } from "../load/source/hub.ts";
import { type Args, intFlag, UsageError } from "./args.ts";
import { showDownload } from "./progress.ts";
import type { TileChoice } from "../engine/tiles.ts";

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The location `--model` names, ready to load, and the id to serve it under
 * (the repo id for a hub model).
 * @throws {UsageError} when it is none of a path, a URL or a repo id.
 */
export async function modelLocation(args: Args, fallback?: string): Promise<{ location: string; id?: string }> {
  const spec = args.flags.get("model") ?? fallback;
  if (spec === undefined) {
    throw new UsageError("--model is required: a directory, a URL base, a .feimg image or a Hugging Face repo id");
  }
  if (/^(https?|file):\/\//i.test(spec) || await exists(spec)) return { location: spec };
  if (!isRepoId(spec)) {
    throw new UsageError(
      `--model ${spec}: no such file or directory, and not a URL or a Hugging Face repo id (owner/name)`,
    );
  }
  const dir = await downloadRepo(spec, { endpoint: args.flags.get("hub-endpoint"), onProgress: showDownload });
  return { location: dir, id: spec };
}

/** The engine options the model flags ask for (unset flags leave the defaults). */
export function modelOptions(args: Args): TextModelOptions {
  const o: TextModelOptions = {};
  const ctx = intFlag(args, "ctx"), threads = intFlag(args, "threads");
  if (ctx !== undefined) o.contextLength = ctx;
  if (threads !== undefined) o.threads = threads;
  const kv = args.flags.get("kv"), head = args.flags.get("lm-head"), tiles = args.flags.get("ternary-tiles");
  if (kv) o.kvCache = kv as "f16" | "f32";
  if (head) o.lmHead = head as "bf16" | "int8";
  if (tiles) o.ternaryTiles = tiles as TileChoice;
  return o;
}
