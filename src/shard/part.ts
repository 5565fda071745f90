/**
 * What of a model one shard holds: a range of layers, a range of embedding
 * rows, and a range of lm_head rows (with the final norm). The whole model is
 * the part that holds everything; a pipeline splits it into parts that fit
 * one isolate each (`plan.ts`).
 * @module
 */

import type { ModelConfig } from "../load/config.ts";

/** A share of a model, each range half-open in the model's indices; a missing range holds nothing of it. */
export interface ModelPart {
  /** Decoder layers [from, to). */
  layers?: [number, number];
  /** Embedding rows (token ids) [from, to). */
  embed?: [number, number];
  /** lm_head rows (logit indices) [from, to), with the final norm; `from` a multiple of 4, `to` too or the vocabulary size. */
  head?: [number, number];
}

/** A checked part: every range present (empty where nothing is held). */
export interface PartRanges {
  /** Decoder layers [from, to). */
  layers: [number, number];
  /** Embedding rows [from, to). */
  embed: [number, number];
  /** lm_head rows [from, to), with the final norm. */
  head: [number, number];
}

/**
 * Checks a part against a model's shape and fills in the empty ranges.
 * @throws {RangeError} naming the range that is out of bounds or misaligned, or an empty part.
 */
export function checkPart(c: ModelConfig, part: ModelPart): PartRanges {
  const range = (name: string, r: [number, number] | undefined, max: number): [number, number] => {
    if (r === undefined) return [0, 0];
    if (!Array.isArray(r) || r.length !== 2 || !r.every(Number.isInteger) || r[0] < 0 || r[0] > r[1] || r[1] > max) {
      throw new RangeError(`part.${name} must be [from, to) with 0 <= from <= to <= ${max}, got ${JSON.stringify(r)}`);
    }
    return r[0] === r[1] ? [0, 0] : [r[0], r[1]];
  };
  const p: PartRanges = {
    layers: range("layers", part.layers, c.numLayers),
    embed: range("embed", part.embed, c.vocabSize),
    head: range("head", part.head, c.vocabSize),
  };
  const [h0, h1] = p.head;
  if (h0 % 4 !== 0 || (h1 % 4 !== 0 && h1 !== c.vocabSize)) {
    throw new RangeError(
      `part.head must start on a multiple of 4 and end on one or at the vocabulary's end (${c.vocabSize}), got [${h0}, ${h1})`,
    );
  }
  if (size(p.layers) + size(p.embed) + size(p.head) === 0) throw new RangeError("a part must hold something");
  return p;
}

/** Entries of a range. */
export function size(r: readonly [number, number]): number {
  return r[1] - r[0];
}

/** A part as words, e.g. `layers 0-11, embed 0-16383`. */
export function describePart(p: PartRanges): string {
  const out: string[] = [];
  if (size(p.embed)) out.push(`embed rows ${p.embed[0]}-${p.embed[1] - 1}`);
  if (size(p.layers)) out.push(`layers ${p.layers[0]}-${p.layers[1] - 1}`);
  if (size(p.head)) out.push(`norm + lm_head rows ${p.head[0]}-${p.head[1] - 1}`);
  return out.join(", ");
}
