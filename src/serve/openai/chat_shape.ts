/**
 * The shape of chat completion choices: `message` / `delta` with content,
 * or, when the request has tools the model may call, with `tool_calls`
 * parsed out of its text (`text/tools/parser.ts`) exactly as OpenAI shapes
 * them: whole, `message.tool_calls` with ids, names and JSON `arguments` and
 * `finish_reason: "tool_calls"`; streamed, a `delta.tool_calls` entry with
 * index, id, type and name when a call starts, then its arguments in pieces.
 * @module
 */

import { byteLevelBytes } from "../../text/bytelevel.ts";
import { parseToolCalls, ToolCallParser, type ToolEvent } from "../../text/tools/parser.ts";
import type { GeneratedPiece } from "../../generate/generate.ts";
import type { TextModel } from "../../generate/text_model.ts";
import type { ChoiceShape, Format, RunRequest } from "./shapes.ts";

const enc = new TextEncoder();

function tokenInfo(tm: TextModel, id: number, logprob: number) {
  const token = tm.tokenizer.decode([id]);
  // exact bytes of a byte-level token (it may hold part of a character)
  const raw = tm.tokenizer.specialIds().includes(id) ? undefined : byteLevelBytes(tm.tokenizer.idToToken(id) ?? "");
  return { token, logprob, bytes: raw ?? [...enc.encode(token)] };
}

const callId = () => `call_${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`;

/** A choice without tools: text in, content out. */
function plainChoice(index: number): ChoiceShape {
  return {
    first: () => ({ index, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }),
    piece: (text, logprobs) =>
      text || logprobs ? [{ index, delta: { content: text }, logprobs, finish_reason: null }] : [],
    last: (finish) => [{ index, delta: {}, logprobs: null, finish_reason: finish }],
    whole: (text, finish, logprobs) => ({
      index,
      message: { role: "assistant", content: text, refusal: null },
      logprobs,
      finish_reason: finish,
    }),
  };
}

/** A choice whose text may hold tool calls. */
function toolChoice(index: number): ChoiceShape {
  const parser = new ToolCallParser();
  let pending: unknown = null; // logprobs of tokens whose text is held back
  const deltas = (events: ToolEvent[]) =>
    events.flatMap((e): Record<string, unknown>[] => {
      if (e.type === "content") return e.text ? [{ content: e.text }] : [];
      if (e.type === "call") {
        return [{
          tool_calls: [{ index: e.index, id: callId(), type: "function", function: { name: e.name, arguments: "" } }],
        }];
      }
      if (e.type === "arguments") return [{ tool_calls: [{ index: e.index, function: { arguments: e.text } }] }];
      return [];
    });
  const choices = (events: ToolEvent[], logprobs: unknown) => {
    const ds = deltas(events);
    if (ds.length === 0) {
      pending = mergeLogprobs(pending, logprobs);
      return [];
    }
    const lp = mergeLogprobs(pending, logprobs);
    pending = null;
    return ds.map((delta, i) => ({ index, delta, logprobs: i === 0 ? lp : null, finish_reason: null }));
  };
  return {
    first: () => ({ index, delta: { role: "assistant", content: null }, logprobs: null, finish_reason: null }),
    piece: (text, logprobs) => choices(parser.push(text), logprobs),
    last: (finish) => {
      const rest = choices(parser.flush(), null);
      const reason = parser.calls > 0 && finish === "stop" ? "tool_calls" : finish;
      return [...rest, { index, delta: {}, logprobs: null, finish_reason: reason }];
    },
    whole: (text, finish, logprobs) => {
      const { content, calls } = parseToolCalls(text);
      const message: Record<string, unknown> = {
        role: "assistant",
        content: calls.length > 0 && content.trim() === "" ? null : content,
        refusal: null,
      };
      if (calls.length > 0) {
        message.tool_calls = calls.map((c) => ({
          id: callId(),
          type: "function",
          function: { name: c.name, arguments: c.arguments },
        }));
      }
      const reason = calls.length > 0 && finish === "stop" ? "tool_calls" : finish;
      return { index, message, logprobs, finish_reason: reason };
    },
  };
}

/** Two chat logprobs objects as one (token lists joined); null stays out. */
function mergeLogprobs(a: unknown, b: unknown): unknown {
  if (!a) return b;
  if (!b) return a;
  const x = a as { content: unknown[] }, y = b as { content: unknown[] };
  return { content: [...x.content, ...y.content], refusal: null };
}

/** Whether the model may call the request's tools (then its text is parsed for calls). */
const callsTools = (r: RunRequest) => r.structured?.tools !== undefined && r.structured.tools.choice !== "none";

/** The chat completion format. */
export const chatFormat: Format = {
  idPrefix: "chatcmpl-",
  object: "chat.completion",
  chunkObject: "chat.completion.chunk",
  choice: (index, r) => callsTools(r) ? toolChoice(index) : plainChoice(index),
  logprobs: (pieces: GeneratedPiece[], tm: TextModel) => ({
    content: pieces.map((p) => ({
      ...tokenInfo(tm, p.id!, p.logprob!),
      top_logprobs: (p.topLogprobs ?? []).map((t) => tokenInfo(tm, t.id, t.logprob)),
    })),
    refusal: null,
  }),
};
