/**
 * `POST /v1/completions`: a plain prompt (text or token ids) -> generation.
 * @module
 */

import type { GeneratedPiece } from "../../generate/generate.ts";
import type { TextModel } from "../../generate/text_model.ts";
import { badParam } from "./errors.ts";
import { readOptions } from "./params.ts";
import { readStructured } from "./structured.ts";
import { encodePrompt, promptCharLimit } from "../../generate/prompt.ts";
import { tooLong } from "./chat_completions.ts";
import { type Format, runCompletion } from "./run.ts";
import type { EndpointRequest } from "./shapes.ts";

const completionFormat: Format = {
  idPrefix: "cmpl-",
  object: "text_completion",
  chunkObject: "text_completion",
  choice: (index) => ({
    piece: (text, logprobs) => text || logprobs ? [{ index, text, logprobs, finish_reason: null }] : [],
    last: (finish) => [{ index, text: "", logprobs: null, finish_reason: finish }],
    whole: (text, finish, logprobs) => ({ index, text, logprobs, finish_reason: finish }),
  }),
  logprobs: (pieces: GeneratedPiece[], tm: TextModel) => {
    let offset = 0;
    const tokens = pieces.map((p) => tm.tokenizer.decode([p.id!]));
    return {
      tokens,
      token_logprobs: pieces.map((p) => p.logprob),
      top_logprobs: pieces.map((p) =>
        Object.fromEntries(
          (p.topLogprobs ?? []).map((
            t,
          ) => [tm.tokenizer.decode([t.id]), t.logprob]),
        )
      ),
      text_offset: tokens.map((t) => (offset += t.length) - t.length),
    };
  },
};

/** A text prompt's ids: bounded in characters first, then encoded (off this thread when long). */
function textIds(tm: TextModel, text: string): Promise<number[]> {
  const limit = promptCharLimit(tm);
  if (text.length > limit) throw tooLong(tm, text.length, limit, "prompt");
  // a plain prompt is the client's own: special-token texts in it are the tokens they spell
  return encodePrompt(tm, [{ text, addSpecialTokens: true }]);
}

function promptIds(tm: TextModel, prompt: unknown): number[] | Promise<number[]> {
  const vocab = tm.model.config.vocabSize;
  if (typeof prompt === "string") return textIds(tm, prompt);
  if (
    Array.isArray(prompt) && prompt.length === 1 &&
    typeof prompt[0] === "string"
  ) return textIds(tm, prompt[0]);
  if (
    Array.isArray(prompt) && prompt.length > 0 &&
    prompt.every((x) => Number.isInteger(x))
  ) {
    const bad = prompt.find((x) => x < 0 || x >= vocab);
    if (bad !== undefined) {
      throw badParam(
        "prompt",
        `token id ${bad} is outside the vocabulary [0, ${vocab}).`,
      );
    }
    return prompt as number[];
  }
  if (Array.isArray(prompt) && prompt.length > 1) {
    throw badParam(
      "prompt",
      "only one prompt per request is supported.",
      "unsupported_value",
    );
  }
  throw badParam(
    "prompt",
    "'prompt' must be a string or an array of token ids.",
    prompt === undefined ? "missing_required_parameter" : "invalid_type",
  );
}

/** Handles a parsed completion request body. */
export async function completions(e: EndpointRequest): Promise<Response> {
  const { tm, body } = e;
  for (const k of ["suffix", "best_of"]) {
    if (
      body[k] !== undefined && body[k] !== null &&
      !(k === "best_of" && body[k] === 1)
    ) {
      throw badParam(
        k,
        `'${k}' is not supported by this server.`,
        "unsupported_parameter",
      );
    }
  }
  if (body.echo === true) {
    throw badParam(
      "echo",
      "'echo' is not supported by this server.",
      "unsupported_parameter",
    );
  }
  const options = readOptions(body, ["max_tokens"], true);
  options.maxTokens ??= 16; // the OpenAI default for this endpoint
  const structured = readStructured(body, false);
  const { body: _, ...base } = e;
  const prompt = await promptIds(tm, body.prompt);
  return await runCompletion({ ...base, prompt, options, format: completionFormat, structured });
}
