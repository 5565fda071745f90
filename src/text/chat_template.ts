/**
 * Chat messages to prompt text, with the checkpoint's Jinja `chat_template`
 * (run by @huggingface/jinja, the renderer transformers.js uses), given the
 * variables transformers' `apply_chat_template` gives it.
 * @module
 */

// Pinned inline: deno.json has no import map entry for it (yet).
// deno-lint-ignore no-import-prefix -- inline so the module also works imported from a URL
import { Template } from "npm:@huggingface/jinja@0.5.11";

/** A value as JSON for a message, cut short (an error never echoes a huge field). */
function shortJson(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 100 ? `${s.slice(0, 100)}...` : s;
}

/** A chat template that is missing, does not parse, or fails (`raise_exception`) while rendering. */
export class ChatTemplateError extends Error {
  /** Always `"ChatTemplateError"`. */
  override name = "ChatTemplateError";
}

/** Messages that are not a list of `{role, content}` objects. */
export class ChatMessageError extends Error {
  /** Always `"ChatMessageError"`. */
  override name = "ChatMessageError";
}

/** One part of an OpenAI-style content array. Only text parts are supported. */
export interface TextContentPart {
  /** Always `"text"`. */
  type: "text";
  /** The text. */
  text: string;
}

/** A chat message as clients send it. */
export interface ChatMessage {
  /** `system`, `user`, `assistant`, `tool`... (the template decides what it accepts). */
  role: string;
  /** A string, or text parts that are joined; `null` only for an assistant message. */
  content: string | TextContentPart[] | null;
  /** Other fields (`name`...) reach the template unchanged. */
  [field: string]: unknown;
}

/** A message as the template sees it: `content` is always a string. */
export interface RenderedMessage {
  /** The role. */
  role: string;
  /** The text. */
  content: string;
  /** Other fields of the message. */
  [field: string]: unknown;
}

/** Options of {@linkcode renderChat}; extra keys become template variables as they are. */
export interface RenderChatOptions {
  /** End with the opening of an assistant turn (`add_generation_prompt`). Default false. */
  addGenerationPrompt?: boolean;
  /** `bos_token` of the template. */
  bosToken?: string;
  /** `eos_token` of the template. */
  eosToken?: string;
  /** Further variables (`tools`, `date_string`...). */
  [variable: string]: unknown;
}

function contentText(content: unknown, role: string, i: number): string {
  if (typeof content === "string") return content;
  if (content === null || content === undefined) {
    if (role === "assistant") return "";
    throw new ChatMessageError(
      `message ${i} (${role}) has no content; only an assistant message may have null content`,
    );
  }
  if (!Array.isArray(content)) {
    throw new ChatMessageError(
      `message ${i}: content must be a string or an array of text parts, got ${typeof content}`,
    );
  }
  return content.map((part, j) => {
    if (typeof part !== "object" || part === null) {
      throw new ChatMessageError(
        `message ${i}, content part ${j}: must be an object {"type": "text", "text": ...}`,
      );
    }
    const { type, text } = part as { type?: unknown; text?: unknown };
    if (type !== "text") {
      throw new ChatMessageError(
        `message ${i}, content part ${j}: type ${shortJson(type)} is not supported; only "text" parts are`,
      );
    }
    if (typeof text !== "string") {
      throw new ChatMessageError(
        `message ${i}, content part ${j}: "text" must be a string`,
      );
    }
    return text;
  }).join("");
}

/**
 * Checks chat messages and turns array contents into strings.
 *
 * @param messages What the client sent as `messages`.
 * @returns One {@linkcode RenderedMessage} per message, other fields kept.
 * @throws {ChatMessageError} naming the message and what is wrong with it.
 */
export function normalizeMessages(messages: unknown): RenderedMessage[] {
  if (!Array.isArray(messages)) {
    throw new ChatMessageError("messages must be an array");
  }
  if (messages.length === 0) {
    throw new ChatMessageError("messages must not be empty");
  }
  return messages.map((m, i) => {
    if (typeof m !== "object" || m === null || Array.isArray(m)) {
      throw new ChatMessageError(
        `message ${i} must be an object with "role" and "content"`,
      );
    }
    const { role, content, ...rest } = m as Record<string, unknown>;
    if (typeof role !== "string" || role.length === 0) {
      throw new ChatMessageError(
        `message ${i}: "role" must be a non-empty string, got ${shortJson(role)}`,
      );
    }
    return { ...rest, role, content: contentText(content, role, i) };
  });
}

/**
 * The chat template of a parsed tokenizer_config.json. A list of named
 * templates (`[{name, template}]`) gives the one called `name`.
 *
 * @param tokenizerConfig The parsed tokenizer_config.json.
 * @param name Which named template, default `"default"`.
 * @returns The template source.
 * @throws {ChatTemplateError} when the checkpoint has no (such) chat template.
 */
export function chatTemplateOf(
  tokenizerConfig: Readonly<Record<string, unknown>>,
  name = "default",
): string {
  const t = tokenizerConfig.chat_template;
  if (typeof t === "string" && t.length > 0) return t;
  if (Array.isArray(t)) {
    const hit = t.find((e) => e?.name === name);
    if (typeof hit?.template === "string") return hit.template;
    throw new ChatTemplateError(
      `tokenizer_config.json has no chat template named ${JSON.stringify(name)}`,
    );
  }
  throw new ChatTemplateError(
    "this checkpoint has no chat_template in tokenizer_config.json, so chat messages cannot be turned into a prompt",
  );
}

/**
 * A parsed chat template, to render many chats without parsing again.
 *
 * @example
 * ```ts
 * import { ChatTemplate } from "./chat_template.ts";
 * const t = new ChatTemplate("{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}");
 * t.render([{ role: "user", content: "hi" }]); // "user: hi\n"
 * ```
 */
export class ChatTemplate {
  readonly #template: Template;

  /**
   * Parses a chat template.
   * @param source The Jinja source (`chat_template`).
   * @throws {ChatTemplateError} when it does not parse.
   */
  constructor(readonly source: string) {
    if (typeof source !== "string" || source.length === 0) {
      throw new ChatTemplateError("the chat template is empty");
    }
    try {
      this.#template = new Template(source);
    } catch (e) {
      throw new ChatTemplateError(
        `the chat template does not parse: ${(e as Error).message}`,
      );
    }
  }

  /**
   * Renders messages to prompt text.
   *
   * @param messages The chat, checked by {@linkcode normalizeMessages}.
   * @param options Generation prompt, special tokens and further variables.
   * @returns The prompt text.
   * @throws {ChatMessageError} for malformed messages.
   * @throws {ChatTemplateError} when the template raises or fails.
   */
  render(
    messages: readonly unknown[],
    options: RenderChatOptions = {},
  ): string {
    const { addGenerationPrompt, bosToken, eosToken, ...extra } = options;
    const vars: Record<string, unknown> = {
      ...extra,
      messages: normalizeMessages(messages),
      add_generation_prompt: addGenerationPrompt ?? false,
    };
    if (bosToken !== undefined) vars.bos_token = bosToken;
    if (eosToken !== undefined) vars.eos_token = eosToken;
    try {
      return this.#template.render(vars);
    } catch (e) {
      throw new ChatTemplateError(
        `the chat template failed: ${(e as Error).message}`,
      );
    }
  }
}

const cache = new Map<string, ChatTemplate>();

/**
 * Renders a chat with a template source (parsed once, then cached).
 *
 * @param template The Jinja source, e.g. from {@linkcode chatTemplateOf}.
 * @param messages The chat.
 * @param options Generation prompt, special tokens and further variables.
 * @returns The prompt text.
 * @throws {ChatMessageError} for malformed messages.
 * @throws {ChatTemplateError} when the template is empty, does not parse or fails.
 *
 * @example ChatML
 * ```ts
 * import { renderChat } from "./chat_template.ts";
 * const chatml = "{% for m in messages %}{{ '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}{% endfor %}" +
 *   "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
 * renderChat(chatml, [{ role: "user", content: "hi" }], { addGenerationPrompt: true });
 * // "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"
 * ```
 */
export function renderChat(
  template: string,
  messages: readonly unknown[],
  options: RenderChatOptions = {},
): string {
  let t = cache.get(template);
  if (t === undefined) {
    t = new ChatTemplate(template);
    if (cache.size >= 16) cache.delete(cache.keys().next().value!);
    cache.set(template, t);
  }
  return t.render(messages, options);
}
