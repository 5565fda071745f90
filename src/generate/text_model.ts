/**
 * A model with its text side: the engine plus the checkpoint's tokenizer,
 * chat template and stop tokens. What the HTTP handler and the CLI serve.
 * @module
 */

import { ChatTemplate, chatTemplateOf } from "../text/chat_template.ts";
import { loadImageFrom } from "../load/image.ts";
import { parseJsonFile } from "../load/config.ts";
import { imageLocation, loadModelFrom, type LoadOptions } from "../load/load_model.ts";
import { LOAD_OPTIONS } from "../load/options.ts";
import { checkOptionNames } from "../engine/options.ts";
import type { Model } from "../engine/model.ts";
import type { ServedModel } from "../engine/served.ts";
import { modelIdOf, type ModelSource, openSource } from "../load/source/mod.ts";
import { TextTokenizer } from "../text/tokenizer.ts";

/** The engine (one wasm instance, unless a pipeline of shards), tokenizer and chat template of one checkpoint. */
export interface TextModel<M extends ServedModel = ServedModel> {
  /** The name clients use (`model` in requests), e.g. `tiiuae/Falcon-E-1B-Instruct`. */
  id: string;
  /** The engine. */
  model: M;
  /** tokenizer.json + tokenizer_config.json. */
  tokenizer: TextTokenizer;
  /** The chat template, if the checkpoint has one (Instruct models do). */
  chatTemplate?: ChatTemplate;
  /** Token ids that end generation: eos of config, generation_config and tokenizer_config. */
  stopTokenIds: number[];
}

/** Options of {@linkcode loadTextModel}. */
export interface TextModelOptions extends LoadOptions {
  /** The model id to report (default: the repo id, or the last path segment of the location). */
  id?: string;
}

/** The option names of {@linkcode TextModelOptions}. */
export const TEXT_MODEL_OPTIONS: readonly string[] = [...LOAD_OPTIONS, "id"];

/**
 * Loads a checkpoint directory or URL base with its tokenizer files.
 *
 * @example
 * ```ts ignore
 * const tm = await loadTextModel("tests/fixtures/tiny-falcon-e");
 * tm.tokenizer.encode("hello");
 * ```
 *
 * @param location A directory, `file:` URL or `http(s):` URL base.
 * @param options Engine options and the id to report.
 * @returns Engine, tokenizer and template, all checked.
 */
export async function loadTextModel(location: string | URL, options: TextModelOptions = {}): Promise<TextModel<Model>> {
  checkOptionNames(options, TEXT_MODEL_OPTIONS, "loadTextModel");
  const image = imageLocation(location, options.fetch);
  if (image) return await loadTextModelFromImage(image.src, image.file, options);
  return await loadTextModelFrom(openSource(location, options.fetch), options);
}

/** {@linkcode loadTextModel} of a pre-laid-out image (`deno task convert`) named `file` in `src`. */
export async function loadTextModelFromImage(
  src: ModelSource,
  file: string,
  options: TextModelOptions = {},
): Promise<TextModel<Model>> {
  checkOptionNames(options, TEXT_MODEL_OPTIONS, "loadTextModelFromImage");
  const { model, files } = await loadImageFrom(src, file, options);
  return finish(
    model,
    textSide(files["tokenizer.json"], files["tokenizer_config.json"], file),
    options.id ?? modelIdOf(file),
  );
}

/** {@linkcode loadTextModel} from an open source. */
export async function loadTextModelFrom(
  src: ModelSource,
  options: TextModelOptions = {},
): Promise<TextModel<Model>> {
  checkOptionNames(options, TEXT_MODEL_OPTIONS, "loadTextModelFrom");
  // Text files first: a broken tokenizer fails before 600 MB are read.
  const tokJson = await src.text("tokenizer.json");
  const tokConfigText = await src.text("tokenizer_config.json");
  const text = textSide(tokJson, tokConfigText, src.location);
  const { id: _, ...load } = options;
  const model = await loadModelFrom(src, load);
  const id = options.id ?? modelIdOf(src.location);
  return finish(model, text, id);
}

/** A tokenizer and chat template read from a checkpoint's files. */
export interface TextSide {
  tokenizer: TextTokenizer;
  chatTemplate?: ChatTemplate;
}

/** The text side of a checkpoint from its tokenizer.json and tokenizer_config.json. */
export function textSide(tokJson: string | undefined, tokConfigText: string | undefined, where: string): TextSide {
  if (tokJson === undefined) throw new Error(`no tokenizer.json in ${where}`);
  const tokenizer = TextTokenizer.fromFiles(tokJson, tokConfigText);
  const tokConfig = tokConfigText === undefined ? {} : parseJsonFile(tokConfigText, "tokenizer_config.json");
  const chatTemplate = tokConfig.chat_template !== undefined ? new ChatTemplate(chatTemplateOf(tokConfig)) : undefined;
  return { tokenizer, ...(chatTemplate ? { chatTemplate } : {}) };
}

/** A text model from an engine (or a pipeline) and its text side. */
export function finish<M extends ServedModel>(model: M, t: TextSide, id: string): TextModel<M> {
  const stop = new Set(model.config.eosTokenIds);
  if (t.tokenizer.eos) stop.add(t.tokenizer.eos.id);
  return { id, model, ...t, stopTokenIds: [...stop] };
}
