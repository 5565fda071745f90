/**
 * Falcon-E (BitNet b1.58 ternary) language models on WebAssembly SIMD.
 *
 * Loads a Hugging Face Falcon-E checkpoint straight into WebAssembly memory
 * and computes transformers-exact logits with Rust-compiled SIMD128 kernels.
 *
 * @example
 * ```ts ignore
 * import { loadModel } from "@falcon-e/edge";
 *
 * const model = await loadModel("./Falcon-E-1B-Instruct");
 * using session = model.createSession();
 * const logits = session.feed([1, 2, 3]);
 * ```
 * @module
 */

export { CheckpointError, loadModel, loadModelFrom, type LoadOptions } from "./src/load/load_model.ts";
export { EngineError, type FeedOptions, type MemoryReport, Model, Session } from "./src/engine/model.ts";
export { ConfigError, type ModelConfig, parseConfig } from "./src/load/config.ts";
export { SafetensorsError } from "./src/load/safetensors.ts";
export {
  type ByteReader,
  DirectorySource,
  type FileInput,
  FilesSource,
  type ModelSource,
  openSource,
  type R2BucketLike,
  type R2ObjectLike,
  R2Source,
  SourceError,
  UrlSource,
} from "./src/load/source/source.ts";
export { IntegrityError } from "./src/load/safetensors_stream.ts";
export { createHandler, type Handler, type HandlerOptions } from "./src/serve/handler.ts";
export { loadTextModel, loadTextModelFrom, type TextModel, type TextModelOptions } from "./src/generate/text_model.ts";
export { generate, type GeneratedPiece, type GenerateOptions, type GenerationSummary } from "./src/generate/generate.ts";
export { type Lease, QueueFullError, Scheduler, type SchedulerStats, Slot } from "./src/generate/scheduler.ts";
export { Batcher } from "./src/generate/batcher.ts";
export {
  type DecodeOptions,
  type EncodeOptions,
  type SpecialToken,
  TextTokenizer,
  TokenizerError,
} from "./src/text/tokenizer.ts";
export { ChatMessageError, ChatTemplate, ChatTemplateError, type RenderChatOptions } from "./src/text/chat_template.ts";
export { Sampler, type SampleResult, type SamplerOptions, type TokenLogprob } from "./src/text/sampler.ts";
export { downloadRepo, type HubOptions, hubUrlBase, isRepoId } from "./src/load/source/hub.ts";
