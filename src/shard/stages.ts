/**
 * The pipeline's stages: a shard's link with what it said it holds, and the
 * check that a set of shards covers the vocabulary in order.
 * @module
 */

import { EngineError } from "../engine/errors.ts";
import { size } from "./part.ts";
import type { ShardInfo } from "./shard.ts";
import type { ShardLink } from "./transport.ts";

/** A shard as a stage of the pipeline. */
export interface Stage {
  /** How to reach it. */
  link: ShardLink;
  /** What it holds (at connect). */
  info: ShardInfo;
}

/** Stages whose `which` ranges tile [0, V) exactly, in order. */
export function tile(stages: Stage[], which: "embed" | "head", V: number): Stage[] {
  const held = stages.filter((s) => size(s.info.part[which]) > 0).sort((a, b) =>
    a.info.part[which][0] - b.info.part[which][0]
  );
  let at = 0;
  for (const s of held) {
    if (s.info.part[which][0] !== at) break;
    at = s.info.part[which][1];
  }
  if (at !== V || held.length === 0) {
    const what = which === "embed" ? "embedding" : "lm_head";
    throw new EngineError(
      `the shards' ${what} rows do not cover the vocabulary exactly (0-${at - 1} of ${V} in order)`,
    );
  }
  return held;
}
