/**
 * How tool calls are written in the model's text, one format everywhere:
 *
 * ```
 * <tool_call>
 * {"name": "get_weather", "arguments": {"city": "Paris"}}
 * </tool_call>
 * ```
 *
 * one block per call (the Hermes / Qwen convention), blocks separated by a
 * newline. When the chat template takes a `tools` variable, the tools reach
 * it as OpenAI sends them; otherwise they are described to the model by a
 * system message (`toolsSystemPrompt`, added to the chat's system message
 * or before the chat), and earlier calls in the chat are written back into the
 * assistant's text in this format. The grammar (`toolCallTag`) makes
 * every call the model writes parse and its arguments validate.
 * @module
 */

/** A function the model may call (OpenAI's `tools[].function`). */
export interface ToolFunction {
  /** `^[a-zA-Z0-9_-]{1,64}$`. */
  name: string;
  /** What it does, for the model. */
  description?: string;
  /** JSON schema of its arguments (an object schema). */
  parameters: Record<string, unknown>;
  /** Refuse schema keywords the grammar would not enforce. */
  strict?: boolean;
}

/** What the model must do with the tools (OpenAI's `tool_choice`). */
export type ToolChoice = "none" | "auto" | "required" | { name: string };

export const CALL_OPEN = "<tool_call>";
export const CALL_CLOSE = "</tool_call>";
/** What opens a call up to its arguments: `<tool_call>\n{"name": "f", "arguments": `. */
export const callHead = (name: string) => `${CALL_OPEN}\n{"name": ${JSON.stringify(name)}, "arguments": `;
/** What closes a call after its arguments. */
export const CALL_TAIL = `}\n${CALL_CLOSE}`;

/** Whether a chat template reads a `tools` variable (then the tools are given to it). */
export function templateTakesTools(source: string): boolean {
  return /\btools\b/.test(source);
}

/** The system message that describes the tools and the call format to the model. */
export function toolsSystemPrompt(tools: readonly ToolFunction[]): string {
  const lines = tools.map((t) =>
    JSON.stringify({
      type: "function",
      function: { name: t.name, ...(t.description ? { description: t.description } : {}), parameters: t.parameters },
    })
  );
  return [
    "# Tools",
    "",
    "You may call one or more functions to assist with the user query.",
    "",
    "You are provided with function signatures within <tools></tools> XML tags:",
    "<tools>",
    ...lines,
    "</tools>",
    "",
    "For each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:",
    "<tool_call>",
    '{"name": <function-name>, "arguments": <args-json-object>}',
    "</tool_call>",
  ].join("\n");
}

/**
 * The structural tag (XGrammar) of the model's answer for a tool choice:
 * `auto` lets it write text and makes any `<tool_call>` it opens a valid
 * call; `required` and a named function make the whole answer calls (one
 * call for a named function, or with `parallel` false). Each call's
 * arguments follow the grammar `argumentGrammar` gives for its function.
 */
export function toolCallTag(
  tools: readonly ToolFunction[],
  choice: Exclude<ToolChoice, "none">,
  parallel: boolean,
  argumentGrammar: (t: ToolFunction) => string,
): Record<string, unknown> {
  const chosen = typeof choice === "object" ? tools.filter((t) => t.name === choice.name) : tools;
  const tags = chosen.map((t) => ({
    type: "tag",
    begin: callHead(t.name),
    content: { type: "grammar", grammar: argumentGrammar(t) },
    end: CALL_TAIL,
  }));
  const once = typeof choice === "object" || !parallel;
  const format = choice === "auto"
    ? { type: "triggered_tags", triggers: [CALL_OPEN], tags, at_least_one: false, stop_after_first: !parallel }
    : { type: "tags_with_separator", tags, separator: "\n", at_least_one: true, stop_after_first: once };
  return { type: "structural_tag", format };
}

/** An assistant message's tool calls in OpenAI's shape (what clients send back in the history). */
interface HistoryCall {
  function?: { name?: unknown; arguments?: unknown };
}

/**
 * Messages as a template without tool support sees them: the tools'
 * description joined to the first system message (or a new one), and the
 * assistant's earlier calls written into its text in the call format.
 */
export function messagesWithTools(messages: readonly unknown[], tools: readonly ToolFunction[]): unknown[] {
  const out = messages.map((m) => {
    const msg = m as Record<string, unknown>;
    if (msg?.role !== "assistant" || !Array.isArray(msg.tool_calls) || msg.tool_calls.length === 0) return m;
    const { tool_calls: calls, ...rest } = msg;
    const blocks = (calls as HistoryCall[]).map((c) => {
      const args = c.function?.arguments;
      const json = typeof args === "string" ? args.trim() : JSON.stringify(args ?? {});
      return callHead(String(c.function?.name ?? "")) + json + CALL_TAIL;
    });
    const text = typeof rest.content === "string" && rest.content !== "" ? `${rest.content}\n` : "";
    return { ...rest, content: text + blocks.join("\n") };
  });
  if (tools.length === 0) return out;
  const prompt = toolsSystemPrompt(tools);
  const first = out[0] as Record<string, unknown> | undefined;
  if (first?.role === "system" && typeof first.content === "string") {
    return [{ ...first, content: `${first.content}\n\n${prompt}` }, ...out.slice(1)];
  }
  return [{ role: "system", content: prompt }, ...out];
}

/**
 * Messages as a template with tool support sees them: calls' `arguments`
 * as objects (the Hugging Face convention), the rest as sent.
 */
export function messagesForToolTemplate(messages: readonly unknown[]): unknown[] {
  return messages.map((m) => {
    const msg = m as Record<string, unknown>;
    if (msg?.role !== "assistant" || !Array.isArray(msg.tool_calls)) return m;
    return {
      ...msg,
      tool_calls: (msg.tool_calls as Record<string, unknown>[]).map((c) => {
        const f = (c.function ?? {}) as Record<string, unknown>;
        let args = f.arguments;
        if (typeof args === "string") {
          try {
            args = JSON.parse(args);
          } catch { /* left as the string it is */ }
        }
        return { ...c, function: { ...f, arguments: args } };
      }),
    };
  });
}
