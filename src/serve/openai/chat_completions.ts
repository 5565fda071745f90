/**
 * `POST /v1/chat/completions`: messages -> chat template -> tokens -> generation.
 * @module
 */

import { byteLevelBytes } from "../../text/bytelevel.ts";
import { ChatMessageError, ChatTemplateError } from "../../text/chat_template.ts";
import type { GeneratedPiece } from "../../generate/generate.ts";
import type { TextModel } from "../../generate/text_model.ts";
import { badParam, HttpError } from "./errors.ts";
import { readOptions } from "./params.ts";
import { type Format, runCompletion } from "./run.ts";
import type { Scheduler } from "../../generate/scheduler.ts";

const enc = new TextEncoder();

function tokenInfo(tm: TextModel, id: number, logprob: number) {
  const token = tm.tokenizer.decode([id]);
  // exact bytes of a byte-level token (it may hold part of a character)
  const raw = tm.tokenizer.specialIds().includes(id) ? undefined : byteLevelBytes(tm.tokenizer.idToToken(id) ?? "");
  return { token, logprob, bytes: raw ?? [...enc.encode(token)] };
}

const chatFormat: Format = {
  idPrefix: "chatcmpl-",
  object: "chat.completion",
  chunkObject: "chat.completion.chunk",
  first: () => ({
    index: 0,
    delta: { role: "assistant", content: "" },
    logprobs: null,
    finish_reason: null,
  }),
  piece: (text, logprobs) => ({
    index: 0,
    delta: { content: text },
    logprobs,
    finish_reason: null,
  }),
  last: (finish) => ({
    index: 0,
    delta: {},
    logprobs: null,
    finish_reason: finish,
  }),
  whole: (text, finish, logprobs) => ({
    index: 0,
    message: { role: "assistant", content: text, refusal: null },
    logprobs,
    finish_reason: finish,
  }),
  logprobs: (pieces: GeneratedPiece[], tm: TextModel) => ({
    content: pieces.map((p) => ({
      ...tokenInfo(tm, p.id!, p.logprob!),
      top_logprobs: (p.topLogprobs ?? []).map((t) => tokenInfo(tm, t.id, t.logprob)),
    })),
    refusal: null,
  }),
};

/** Handles a parsed chat completion request body. */
export function chatCompletions(
  tm: TextModel,
  scheduler: Scheduler,
  request: Request,
  body: Record<string, unknown>,
  headers: Record<string, string>,
): Promise<Response> {
  const options = readOptions(
    body,
    ["max_completion_tokens", "max_tokens"],
    false,
  );
  if (!Array.isArray(body.messages)) {
    throw badParam(
      "messages",
      "'messages' must be an array of messages.",
      body.messages === undefined ? "missing_required_parameter" : "invalid_type",
    );
  }
  if (body.messages.length === 0) {
    throw badParam("messages", "'messages' must hold at least one message.");
  }
  if (!tm.chatTemplate) {
    throw new HttpError(
      400,
      "This model has no chat template; use /v1/completions with a plain prompt.",
      "invalid_request_error",
      "messages",
      "no_chat_template",
    );
  }
  let text: string;
  try {
    text = tm.chatTemplate.render(body.messages, {
      addGenerationPrompt: true,
      bosToken: tm.tokenizer.bos?.token ?? "",
      eosToken: tm.tokenizer.eos?.token ?? "",
    });
  } catch (e) {
    if (e instanceof ChatMessageError || e instanceof ChatTemplateError) {
      throw badParam(
        "messages",
        e.message,
        e instanceof ChatTemplateError ? "chat_template_error" : "invalid_value",
      );
    }
    throw e;
  }
  const prompt = tm.tokenizer.encode(text, { addSpecialTokens: false });
  return runCompletion({
    tm,
    scheduler,
    request,
    prompt,
    options,
    format: chatFormat,
    headers,
  });
}
