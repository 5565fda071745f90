/**
 * The model's answer, split as it streams into text and tool calls written
 * in the format of `format.ts`: text outside the blocks is content, each
 * `<tool_call>` block becomes a call whose name is known once its head is
 * complete and whose arguments stream as they come. Text that may be the
 * start of a block is held back until it is clear.
 * @module
 */

import { CALL_OPEN, CALL_TAIL } from "./format.ts";

/** One thing the parser found. */
export type ToolEvent =
  | { type: "content"; text: string }
  | { type: "call"; index: number; name: string }
  | { type: "arguments"; index: number; text: string }
  | { type: "end"; index: number };

/** A whole call, as `collect` gives it. */
export interface ParsedCall {
  /** The function's name. */
  name: string;
  /** The arguments' JSON text, as the model wrote it. */
  arguments: string;
}

/** A call's head after `<tool_call>`, exactly as `callHead` writes it (the grammar makes the model write it so). */
const HEAD = /^\n\{"name": ("(?:[^"\\]|\\.)*"), "arguments": /;

/** The length of the longest suffix of `text` that is a proper prefix of `token`. */
function partialSuffix(text: string, token: string): number {
  for (let k = Math.min(token.length - 1, text.length); k > 0; k--) {
    if (text.endsWith(token.slice(0, k))) return k;
  }
  return 0;
}

/** Splits generated text into content and tool calls, incrementally. */
export class ToolCallParser {
  #buf = "";
  #state: "text" | "head" | "args" = "text";
  #calls = 0;
  #afterCall = false;

  /** Feeds more generated text; returns what became clear. */
  push(text: string): ToolEvent[] {
    this.#buf += text;
    const out: ToolEvent[] = [];
    for (;;) {
      const before = this.#buf.length, state = this.#state;
      if (state === "text") this.#text(out);
      else if (state === "head") this.#head(out);
      else this.#args(out);
      if (this.#state === state && this.#buf.length === before) return out;
    }
  }

  /** The end of the text: whatever is held back, as it stands (an unfinished call's arguments end where they are). */
  flush(): ToolEvent[] {
    const out: ToolEvent[] = [];
    if (this.#state === "text" && this.#buf) out.push({ type: "content", text: this.#buf });
    if (this.#state === "head") out.push({ type: "content", text: CALL_OPEN + this.#buf });
    if (this.#state === "args") {
      if (this.#buf) out.push({ type: "arguments", index: this.#calls - 1, text: this.#buf });
      out.push({ type: "end", index: this.#calls - 1 });
    }
    this.#buf = "";
    this.#state = "text";
    return out;
  }

  /** Calls started so far. */
  get calls(): number {
    return this.#calls;
  }

  #text(out: ToolEvent[]): void {
    if (this.#afterCall) {
      // the newline that separates calls is not content
      if (this.#buf === "") return;
      if (this.#buf.startsWith("\n")) this.#buf = this.#buf.slice(1);
      this.#afterCall = false;
    }
    const at = this.#buf.indexOf(CALL_OPEN);
    if (at >= 0) {
      if (at > 0) out.push({ type: "content", text: this.#buf.slice(0, at) });
      this.#buf = this.#buf.slice(at + CALL_OPEN.length);
      this.#state = "head";
      return;
    }
    const keep = partialSuffix(this.#buf, CALL_OPEN);
    const clear = this.#buf.length - keep;
    if (clear > 0) {
      out.push({ type: "content", text: this.#buf.slice(0, clear) });
      this.#buf = this.#buf.slice(clear);
    }
  }

  #head(out: ToolEvent[]): void {
    const m = this.#buf.match(HEAD);
    if (!m) return; // not complete yet
    let name: string;
    try {
      name = JSON.parse(m[1]);
    } catch {
      return;
    }
    out.push({ type: "call", index: this.#calls++, name });
    this.#buf = this.#buf.slice(m[0].length);
    this.#state = "args";
  }

  #args(out: ToolEvent[]): void {
    const index = this.#calls - 1;
    // The tail's newline is a raw one, which JSON never holds inside a string:
    // the first tail after the head closes the call.
    const at = this.#buf.indexOf(CALL_TAIL);
    if (at >= 0) {
      if (at > 0) out.push({ type: "arguments", index, text: this.#buf.slice(0, at) });
      out.push({ type: "end", index });
      this.#buf = this.#buf.slice(at + CALL_TAIL.length);
      this.#state = "text";
      this.#afterCall = true;
      return;
    }
    const clear = this.#buf.length - partialSuffix(this.#buf, CALL_TAIL);
    if (clear > 0) {
      out.push({ type: "arguments", index, text: this.#buf.slice(0, clear) });
      this.#buf = this.#buf.slice(clear);
    }
  }
}

/** The content and calls of a whole answer. */
export function parseToolCalls(text: string): { content: string; calls: ParsedCall[] } {
  const p = new ToolCallParser();
  let content = "";
  const calls: ParsedCall[] = [];
  for (const e of [...p.push(text), ...p.flush()]) {
    if (e.type === "content") content += e.text;
    else if (e.type === "call") calls.push({ name: e.name, arguments: "" });
    else if (e.type === "arguments") calls[e.index].arguments += e.text;
  }
  return { content, calls };
}
