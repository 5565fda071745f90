/**
 * `POST /v1/chat/completions`: messages -> chat template -> tokens -> generation.
 * @module
 */

import { ChatMessageError, ChatTemplateError } from "../../text/chat_template.ts";
import type { ToolFunction } from "../../text/tools/format.ts";
import type { TextModel } from "../../generate/text_model.ts";
import { chatFormat } from "./chat_shape.ts";
import { readStructured } from "./structured.ts";
import { badParam, HttpError } from "./errors.ts";
import { readOptions, type RequestOptions } from "./params.ts";
import { chatPromptPieces, encodePrompt, promptCharLimit } from "../../generate/prompt.ts";
import { piecesLength } from "../../text/pieces.ts";
import { ContextError, fitHistoryAsync } from "../../generate/history.ts";
import { runCompletion } from "./run.ts";
import type { EndpointRequest } from "./shapes.ts";

/**
 * The prompt ids of `messages`, as a 400 naming `messages` when they or the
 * template are at fault, or when the prompt has more characters than any
 * prompt that fits the context could (refused before it is tokenized).
 */
async function promptOf(tm: TextModel, messages: unknown[], tools: readonly ToolFunction[]): Promise<number[]> {
  let pieces;
  try {
    pieces = chatPromptPieces(tm, messages, { tools });
  } catch (e) {
    if (e instanceof ChatMessageError || e instanceof ChatTemplateError) {
      throw badParam("messages", e.message, e instanceof ChatTemplateError ? "chat_template_error" : "invalid_value");
    }
    throw e;
  }
  const chars = piecesLength(pieces), limit = promptCharLimit(tm);
  if (chars > limit) throw tooLong(tm, chars, limit, "messages");
  return await encodePrompt(tm, pieces);
}

/** The 400 for a prompt longer in characters than the context can hold in tokens. */
export function tooLong(tm: TextModel, chars: number, limit: number, param: string): HttpError {
  return new HttpError(
    400,
    `The prompt has ${chars} characters; a prompt that fits this model's context of ${tm.model.contextLength} tokens ` +
      `has at most ${limit}.`,
    "invalid_request_error",
    param,
    "context_length_exceeded",
  );
}

/**
 * With `truncate: true` (an extension), the oldest turns after the system
 * prompt are dropped until the chat and the answer fit (`generate/history.ts`);
 * the response says how many in `usage.truncated_messages` and the
 * `x-truncated-messages` header. Without it, a chat that does not fit is
 * OpenAI's 400 `context_length_exceeded`.
 */
async function fitted(
  tm: TextModel,
  messages: unknown[],
  options: RequestOptions,
  truncate: boolean,
  tools: readonly ToolFunction[],
) {
  if (!truncate) return { prompt: await promptOf(tm, messages, tools), truncated: undefined };
  const msgs = normalizeForHistory(messages);
  try {
    const fit = await fitHistoryAsync(msgs, (m) => promptOf(tm, m, tools), tm.model.contextLength, options.maxTokens);
    options.maxTokens = fit.maxTokens;
    return { prompt: fit.ids, truncated: fit.dropped };
  } catch (e) {
    if (!(e instanceof ContextError)) throw e;
    throw new HttpError(
      400,
      `This model's maximum context length is ${e.context} tokens: ${e.message}.`,
      "invalid_request_error",
      "messages",
      "context_length_exceeded",
    );
  }
}

/** Messages as the history policy needs them: objects with a string role (the template checks the rest). */
function normalizeForHistory(messages: unknown[]): { role: string }[] {
  return messages.map((m, i) => {
    if (typeof m !== "object" || m === null || typeof (m as { role?: unknown }).role !== "string") {
      throw badParam("messages", `message ${i} must be an object with a string "role".`, "invalid_value");
    }
    return m as { role: string };
  });
}

/** Handles a parsed chat completion request body. */
export async function chatCompletions(e: EndpointRequest): Promise<Response> {
  const { tm, body } = e;
  const options = readOptions(body, ["max_completion_tokens", "max_tokens"], false);
  if (!Array.isArray(body.messages)) {
    throw badParam(
      "messages",
      "'messages' must be an array of messages.",
      body.messages === undefined ? "missing_required_parameter" : "invalid_type",
    );
  }
  if (body.messages.length === 0) throw badParam("messages", "'messages' must hold at least one message.");
  if (!tm.chatTemplate) {
    throw new HttpError(
      400,
      "This model has no chat template; use /v1/completions with a plain prompt.",
      "invalid_request_error",
      "messages",
      "no_chat_template",
    );
  }
  if (body.truncate !== undefined && typeof body.truncate !== "boolean") {
    throw badParam("truncate", "'truncate' must be a boolean.", "invalid_type");
  }
  const structured = readStructured(body, true);
  const tools = structured.tools?.functions ?? [];
  const { prompt, truncated } = await fitted(tm, body.messages, options, body.truncate === true, tools);
  const extra: Record<string, string> = truncated === undefined ? {} : { "x-truncated-messages": String(truncated) };
  const { body: _, ...base } = e;
  return await runCompletion({
    ...base,
    prompt,
    options,
    format: chatFormat,
    headers: { ...e.headers, ...extra },
    truncated,
    structured,
  });
}
