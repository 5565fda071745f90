/**
 * A text model over a pipeline of shards: the checkpoint's tokenizer and chat
 * template here, the weights in the shards. What the OpenAI handler serves in
 * the sharded deployments.
 * @module
 */

import { finish, type TextModel, textSide } from "../generate/text_model.ts";
import { parseConfig } from "../load/config.ts";
import { modelIdOf, type ModelSource } from "../load/source/mod.ts";
import { Pipeline } from "./coordinator.ts";
import type { ShardLink } from "./transport.ts";

/**
 * Reads `config.json` and the tokenizer files from `src` (never the weights)
 * and connects to shards that hold the whole model.
 * @param src Where the checkpoint's text files are.
 * @param links One per shard, in any order.
 * @param id The model id to report (default: from the location).
 * @param candidates Likely next tokens each lm_head slice sends back (see {@linkcode Pipeline.connect}).
 */
export async function pipelineTextModel(
  src: ModelSource,
  links: ShardLink[],
  id?: string,
  candidates?: number,
): Promise<TextModel<Pipeline>> {
  const configText = await src.text("config.json");
  if (configText === undefined) throw new Error(`no config.json in ${src.location}`);
  const config = parseConfig(configText, await src.text("generation_config.json"));
  const text = textSide(await src.text("tokenizer.json"), await src.text("tokenizer_config.json"), src.location);
  const pipeline = await Pipeline.connect(config, links, src.location, undefined, candidates);
  return finish(pipeline, text, id ?? modelIdOf(src.location));
}
