/**
 * A chat as prompt token ids: the checkpoint's chat template rendered with
 * its special tokens, then tokenized. Shared by the HTTP API, the CLI and
 * the TypeScript API, so a chat becomes the same ids everywhere.
 * @module
 */

import { ChatTemplateError } from "../text/chat_template.ts";
import {
  messagesForToolTemplate,
  messagesWithTools,
  templateTakesTools,
  type ToolFunction,
} from "../text/tools/format.ts";
import type { TextModel } from "./text_model.ts";

/** Options of {@linkcode chatPromptIds}. */
export interface ChatPromptOptions {
  /** Further template variables. */
  variables?: Record<string, unknown>;
  /**
   * Functions the model may call: given to the template as `tools` when it
   * reads that variable, else described in a system message (`text/tools/format.ts`).
   */
  tools?: readonly ToolFunction[];
}

/** The messages and variables a chat with tools renders with. */
function withTools(tm: TextModel, messages: readonly unknown[], tools: readonly ToolFunction[]) {
  if (templateTakesTools(tm.chatTemplate!.source)) {
    const list = tools.map((t) => ({
      type: "function",
      function: { name: t.name, ...(t.description ? { description: t.description } : {}), parameters: t.parameters },
    }));
    return { messages: messagesForToolTemplate(messages), variables: list.length ? { tools: list } : {} };
  }
  return { messages: messagesWithTools(messages, tools), variables: {} };
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
  const t = withTools(tm, messages, options.tools ?? []);
  const text = tm.chatTemplate.render(t.messages, {
    ...options.variables,
    ...t.variables,
    addGenerationPrompt: true,
    bosToken: tm.tokenizer.bos?.token ?? "",
    eosToken: tm.tokenizer.eos?.token ?? "",
  });
  return tm.tokenizer.encode(text, { addSpecialTokens: false });
}
