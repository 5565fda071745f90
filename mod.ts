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

export { type LoadOptions, loadModel, CheckpointError } from "./src/load.ts";
export { EngineError, type FeedOptions, type MemoryReport, Model, Session } from "./src/model.ts";
export { ConfigError, type ModelConfig, parseConfig } from "./src/config.ts";
export { SafetensorsError } from "./src/safetensors.ts";
export { SourceError } from "./src/source.ts";
export { createHandler, type Handler, type HandlerOptions } from "./src/handler.ts";
export { loadTextModel, type TextModel, type TextModelOptions } from "./src/text_model.ts";
export { generate, type GenerateOptions, type GeneratedPiece, type GenerationSummary } from "./src/generate.ts";
export { Scheduler, Slot, QueueFullError, type Lease } from "./src/scheduler.ts";
export { TextTokenizer } from "./src/tokenizer.ts";
export { ChatTemplate, ChatTemplateError } from "./src/chat.ts";
export { Sampler, type SamplerOptions } from "./src/sampler.ts";
