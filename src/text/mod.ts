/**
 * The text side: tokenizer (Hugging Face `tokenizer.json` through
 * tokenizers.js), chat template (jinja), incremental detokenizer, stop
 * strings, and the sampler. Independent of the engine: it works on token ids
 * and logits.
 * @module
 */

export {
  type DecodeOptions,
  type EncodeOptions,
  type SpecialToken,
  TextTokenizer,
  TokenizerError,
} from "./tokenizer.ts";
export {
  type ChatMessage,
  ChatMessageError,
  ChatTemplate,
  ChatTemplateError,
  chatTemplateOf,
  type RenderChatOptions,
  type TextContentPart,
} from "./chat_template.ts";
export { type Detokenizer, IncrementalDecoder, type IncrementalDecoderOptions } from "./detokenizer.ts";
export { StopMatcher, type StopResult } from "./stop.ts";
export { Sampler, type SampleResult, type SamplerOptions, type TokenLogprob } from "./sampler.ts";
export { Rng } from "./rng.ts";
export { byteLevelBytes } from "./bytelevel.ts";
export { type GrammarConstraint } from "./grammar/constraint.ts";
export { GrammarError, type GrammarSpec } from "./grammar/engine.ts";
export { type ToolChoice, type ToolFunction } from "./tools/format.ts";
export { type ParsedCall, parseToolCalls, ToolCallParser, type ToolEvent } from "./tools/parser.ts";
export { useGrammarWasm } from "./grammar/xgrammar.ts";
