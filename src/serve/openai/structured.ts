/**
 * Structured output fields of a request, checked: `response_format`
 * (`text`, `json_object`, `json_schema`), the `grammar` extension (EBNF, as
 * llama.cpp's server takes it), and on chat `tools`, `tool_choice` and
 * `parallel_tool_calls`. Every bad field is a 400 that names it.
 * @module
 */

import type { GrammarSpec } from "../../text/grammar/engine.ts";
import type { ToolChoice, ToolFunction } from "../../text/tools/format.ts";
import { badParam } from "./errors.ts";
import { shown } from "./params.ts";

type Body = Record<string, unknown>;

/** The tools of a chat request. */
export interface ToolsRequest {
  /** The functions, in the order sent. */
  functions: ToolFunction[];
  /** `tool_choice` (default `auto`). */
  choice: ToolChoice;
  /** `parallel_tool_calls` (default true): more than one call in an answer. */
  parallel: boolean;
}

/** What a request's output must follow. */
export interface Structured {
  /** The grammar of the answer, if any. */
  grammar?: GrammarSpec;
  /** The tools, when the request has any. */
  tools?: ToolsRequest;
}

const NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX_TOOLS = 128;
const MAX_GRAMMAR_CHARS = 100_000;

const isObject = (v: unknown): v is Body => typeof v === "object" && v !== null && !Array.isArray(v);

/** `response_format` as a grammar (none for `text`). */
function responseFormat(b: Body): GrammarSpec | undefined {
  const rf = b.response_format;
  if (rf === undefined || rf === null) return undefined;
  if (!isObject(rf)) throw badParam("response_format", "'response_format' must be an object.", "invalid_type");
  switch (rf.type) {
    case "text":
      return undefined;
    case "json_object":
      return { kind: "json_object" };
    case "json_schema": {
      const js = rf.json_schema;
      if (!isObject(js)) {
        throw badParam(
          "response_format.json_schema",
          "'response_format.json_schema' must be an object.",
          "invalid_type",
        );
      }
      if (typeof js.name !== "string" || !NAME.test(js.name)) {
        throw badParam(
          "response_format.json_schema.name",
          `'response_format.json_schema.name' must match ${NAME.source}, got ${shown(js.name)}.`,
        );
      }
      const schema = js.schema ?? {};
      if (typeof schema !== "boolean" && !isObject(schema)) {
        throw badParam("response_format.json_schema.schema", "'response_format.json_schema.schema' must be an object.");
      }
      if (js.strict !== undefined && js.strict !== null && typeof js.strict !== "boolean") {
        throw badParam("response_format.json_schema.strict", "'response_format.json_schema.strict' must be a boolean.");
      }
      return { kind: "json_schema", schema, strict: js.strict === true };
    }
    default:
      throw badParam(
        "response_format.type",
        `'response_format.type' must be 'text', 'json_object' or 'json_schema', got ${shown(rf.type)}.`,
      );
  }
}

/** The `grammar` extension: EBNF text whose `root` rule is the answer. */
function grammarField(b: Body): GrammarSpec | undefined {
  const g = b.grammar;
  if (g === undefined || g === null) return undefined;
  if (typeof g !== "string" || g.trim() === "") {
    throw badParam("grammar", "'grammar' must be a non-empty string (EBNF with a 'root' rule).", "invalid_type");
  }
  if (g.length > MAX_GRAMMAR_CHARS) {
    throw badParam("grammar", `'grammar' may be at most ${MAX_GRAMMAR_CHARS} characters, got ${g.length}.`);
  }
  return { kind: "ebnf", grammar: g };
}

function toolFunction(t: unknown, i: number): ToolFunction {
  const at = `tools[${i}]`;
  if (!isObject(t) || t.type !== "function" || !isObject(t.function)) {
    throw badParam(at, `'${at}' must be {"type": "function", "function": {...}}.`, "invalid_type");
  }
  const f = t.function;
  if (typeof f.name !== "string" || !NAME.test(f.name)) {
    throw badParam(`${at}.function.name`, `'${at}.function.name' must match ${NAME.source}, got ${shown(f.name)}.`);
  }
  if (f.description !== undefined && typeof f.description !== "string") {
    throw badParam(`${at}.function.description`, `'${at}.function.description' must be a string.`, "invalid_type");
  }
  const parameters = f.parameters ?? { type: "object", properties: {} };
  if (!isObject(parameters)) {
    throw badParam(`${at}.function.parameters`, `'${at}.function.parameters' must be a JSON schema object.`);
  }
  if (f.strict !== undefined && f.strict !== null && typeof f.strict !== "boolean") {
    throw badParam(`${at}.function.strict`, `'${at}.function.strict' must be a boolean.`, "invalid_type");
  }
  return {
    name: f.name,
    ...(typeof f.description === "string" ? { description: f.description } : {}),
    parameters,
    strict: f.strict === true,
  };
}

function toolChoice(b: Body, functions: ToolFunction[]): ToolChoice {
  const c = b.tool_choice;
  if (c === undefined || c === null) return functions.length > 0 ? "auto" : "none";
  if (c === "none" || c === "auto" || c === "required") {
    if (c !== "none" && functions.length === 0) {
      throw badParam("tool_choice", `'tool_choice' ${shown(c)} needs 'tools'.`);
    }
    return c;
  }
  if (!isObject(c) || c.type !== "function" || !isObject(c.function) || typeof c.function.name !== "string") {
    throw badParam(
      "tool_choice",
      `'tool_choice' must be 'none', 'auto', 'required' or {"type": "function", "function": {"name": ...}}, got ${
        shown(c)
      }.`,
    );
  }
  const name = c.function.name;
  if (!functions.some((f) => f.name === name)) {
    throw badParam("tool_choice", `'tool_choice' names the function ${shown(name)}, which is not in 'tools'.`);
  }
  return { name };
}

function toolsField(b: Body): ToolsRequest | undefined {
  const t = b.tools;
  if ((t === undefined || t === null) && (b.tool_choice === undefined || b.tool_choice === null)) return undefined;
  if (t !== undefined && t !== null && !Array.isArray(t)) {
    throw badParam("tools", "'tools' must be an array of function tools.", "invalid_type");
  }
  const list = (t ?? []) as unknown[];
  if (list.length > MAX_TOOLS) {
    throw badParam("tools", `'tools' may hold at most ${MAX_TOOLS} tools, got ${list.length}.`);
  }
  const functions = list.map(toolFunction);
  const names = new Set<string>();
  for (const f of functions) {
    if (names.has(f.name)) throw badParam("tools", `'tools' defines the function ${shown(f.name)} twice.`);
    names.add(f.name);
  }
  const p = b.parallel_tool_calls;
  if (p !== undefined && p !== null && typeof p !== "boolean") {
    throw badParam("parallel_tool_calls", "'parallel_tool_calls' must be a boolean.", "invalid_type");
  }
  return { functions, choice: toolChoice(b, functions), parallel: p !== false };
}

/**
 * Reads the structured output fields of a body.
 * @param b The parsed body.
 * @param chat Whether the endpoint is chat (tools are chat only).
 */
export function readStructured(b: Body, chat: boolean): Structured {
  const format = responseFormat(b);
  const ebnf = grammarField(b);
  if (format && ebnf) throw badParam("grammar", "'grammar' and a JSON 'response_format' cannot be used together.");
  if (!chat && (b.tools !== undefined || b.tool_choice !== undefined)) {
    throw badParam(
      b.tools !== undefined ? "tools" : "tool_choice",
      "tools are only supported on /v1/chat/completions.",
    );
  }
  const tools = chat ? toolsField(b) : undefined;
  const grammar = format ?? ebnf;
  if (tools && tools.choice !== "none" && grammar) {
    throw badParam(
      ebnf ? "grammar" : "response_format",
      `'${ebnf ? "grammar" : "response_format"}' cannot be combined with tools unless 'tool_choice' is 'none'.`,
    );
  }
  if (tools && tools.choice !== "none") {
    const { functions, choice, parallel } = tools;
    return { tools, grammar: { kind: "tool_calls", tools: functions, choice, parallel } };
  }
  return { ...(grammar ? { grammar } : {}), ...(tools ? { tools } : {}) };
}
