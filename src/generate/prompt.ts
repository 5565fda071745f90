/**
 * A chat as prompt token ids: the checkpoint's chat template rendered with
 * its special tokens, then tokenized. Shared by the HTTP API, the CLI and
 * the TypeScript API, so a chat becomes the same ids everywhere.
 * @module
 */

import { ChatMessageError, ChatTemplateError, normalizeMessages } from "../text/chat_template.ts";
import { encodePieces, hasSpecialText, piecesLength, type PromptPiece } from "../text/pieces.ts";
import { encodeInThread, textThreadSupported, TextThreadUnavailable } from "./text_thread.ts";
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

/** String leaves of a value (for finding special-token text outside message contents). */
function* strings(v: unknown, depth = 0): Generator<string> {
  if (typeof v === "string") yield v;
  else if (depth < 8 && typeof v === "object" && v !== null) {
    for (const x of Object.values(v)) yield* strings(x, depth + 1);
  }
}

/**
 * The pieces of the prompt of `messages` (ending with the opening of the
 * assistant's turn): what the template wrote, and message contents as plain
 * text, so that special-token text in them never becomes a control token.
 * When no content holds special-token text the prompt is one piece, and its
 * ids are exactly those of the rendered text.
 * @throws {ChatTemplateError} when the model has no chat template, or it fails.
 * @throws {ChatMessageError} for malformed messages, or special-token text
 *   outside a message's content (a role, a name, a tool definition).
 */
export function chatPromptPieces(
  tm: TextModel,
  messages: readonly unknown[],
  options: ChatPromptOptions = {},
): PromptPiece[] {
  if (!tm.chatTemplate) {
    throw new ChatTemplateError("this model has no chat template; give it a plain prompt instead");
  }
  const tok = tm.tokenizer;
  const t = withTools(tm, messages, options.tools ?? []);
  const msgs = normalizeMessages(t.messages);
  msgs.forEach(({ content: _, ...rest }, i) => {
    for (const s of strings(rest)) {
      if (hasSpecialText(tok, s)) {
        throw new ChatMessageError(`message ${i}: special-token text is only allowed in "content"`);
      }
    }
  });
  for (const s of strings(t.variables)) {
    if (hasSpecialText(tok, s)) throw new ChatMessageError("a tool definition holds special-token text");
  }
  const render = (m: unknown[]) =>
    tm.chatTemplate!.render(m, {
      ...options.variables,
      ...t.variables,
      addGenerationPrompt: true,
      bosToken: tok.bos?.token ?? "",
      eosToken: tok.eos?.token ?? "",
    });
  const dirty = msgs.map((m) => hasSpecialText(tok, m.content));
  if (!dirty.includes(true)) return [{ text: render(msgs) }];
  // Render with a marker in place of each such content, then put the contents back as plain pieces.
  const nonce = crypto.randomUUID().slice(0, 8);
  const mark = (i: number) => `\uE000${nonce}:${i}\uE001`;
  const text = render(msgs.map((m, i) => (dirty[i] ? { ...m, content: mark(i) } : m)));
  const pieces: PromptPiece[] = [];
  const seen = new Set<number>();
  let at = 0;
  for (const hit of text.matchAll(new RegExp(`\uE000${nonce}:(\\d+)\uE001`, "g"))) {
    const i = Number(hit[1]);
    if (seen.has(i)) throw new ChatMessageError(`message ${i}: the chat template repeats its content`);
    seen.add(i);
    if (hit.index > at) pieces.push({ text: text.slice(at, hit.index) });
    pieces.push({ text: msgs[i].content, plain: true });
    at = hit.index + hit[0].length;
  }
  if (at < text.length) pieces.push({ text: text.slice(at) });
  const lost = dirty.findIndex((d, i) => d && !seen.has(i));
  if (lost >= 0) {
    throw new ChatMessageError(
      `message ${lost}: its content holds special-token text, and the chat template changes contents, so it cannot be kept as text`,
    );
  }
  return pieces;
}

/**
 * The prompt ids of `messages`, ending with the opening of the assistant's turn.
 * @throws {ChatTemplateError} when the model has no chat template, or it fails.
 * @throws {ChatMessageError} for malformed messages.
 */
export function chatPromptIds(tm: TextModel, messages: readonly unknown[], options: ChatPromptOptions = {}): number[] {
  return encodePieces(tm.tokenizer, chatPromptPieces(tm, messages, options));
}

/** Prompts longer than this many characters are encoded in the text thread where there is one. */
export const THREAD_ENCODE_CHARS = 2048;

/**
 * The ids of prompt pieces without blocking this thread for long: a long
 * prompt (tokenizers.js takes ~1 ms per 300 characters) is encoded in the
 * text thread where the runtime has one.
 */
export async function encodePrompt(tm: TextModel, pieces: PromptPiece[]): Promise<number[]> {
  if (piecesLength(pieces) > THREAD_ENCODE_CHARS && textThreadSupported()) {
    try {
      return await encodeInThread(tm.tokenizer, pieces);
    } catch (e) {
      if (!(e instanceof TextThreadUnavailable)) throw e;
    }
  }
  return encodePieces(tm.tokenizer, pieces);
}

/**
 * The most characters a prompt may have: the context length times the
 * longest token's characters. Anything longer cannot fit, and is refused
 * before it is tokenized.
 */
export function promptCharLimit(tm: TextModel): number {
  return tm.model.contextLength * tm.tokenizer.longestToken;
}
