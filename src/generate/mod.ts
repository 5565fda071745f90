/**
 * Generation: a model with its text side ({@linkcode TextModel}), the
 * generate loop as an async iterator, and the serving machinery under it:
 * bounded session slots with a wait queue (`Scheduler`) and continuous
 * batching of every active request (`Batcher`).
 * @module
 */

export {
  type ChatOptions,
  type ChatStream,
  type Completion,
  FalconE,
  type FalconELoadOptions,
  type GenerationOptions,
} from "./falcon_e.ts";
export { ContextError, defaultRoom, fitHistory, type FittedHistory, type HistoryMessage } from "./history.ts";
export { chatPromptIds, type ChatPromptOptions } from "./prompt.ts";
export {
  loadTextModel,
  loadTextModelFrom,
  loadTextModelFromImage,
  type TextModel,
  type TextModelOptions,
} from "./text_model.ts";
export { generate, type GeneratedPiece, type GenerateOptions, type GenerationSummary } from "./generate.ts";
export { CachedSession, type Lease, QueueFullError, Scheduler, type SchedulerStats } from "./scheduler.ts";
export { nextMacrotask } from "./batcher.ts";
export { Batcher } from "./batcher.ts";
export { constrain, type GrammarPlace, grammarPlace } from "./structured.ts";
