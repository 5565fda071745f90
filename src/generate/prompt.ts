/**
 * A chat as prompt token ids: the checkpoint's chat template rendered with
 * its special tokens, then tokenized. Shared by the HTTP API, the CLI and
 * the TypeScript API, so a chat becomes the same ids everywhere.
 * @module
 */

import { ChatTemplateError } from "../text/chat_template.ts";
import type { TextModel } from "./text_model.ts";

/** Options of {@linkcode chatPromptIds}. */
export interface ChatPromptOptions {
  /** Further template variables (`tools`...). */
  variables?: Record<string, unknown>;
}

/**
 * The prompt ids of `messages`, ending with the opening of the assistant's turn.
 * @throws {ChatTemplateError} when the model has no chat template, or it fails.
 * @throws {ChatMessageError} for malformed messages.
 */
export function chatPromptIds(tm: TextModel, messages: readonly unknown[], options: ChatPromptOptions = {}): number[] {
  if (!tm.chatTemplate) {
    throw new ChatTemplateError("this model has no chat template; give it a plain prompt instead");
  }
  const text = tm.chatTemplate.render(messages, {
    ...options.variables,
    addGenerationPrompt: true,
    bosToken: tm.tokenizer.bos?.token ?? "",
    eosToken: tm.tokenizer.eos?.token ?? "",
  });
  return tm.tokenizer.encode(text, { addSpecialTokens: false });
}
