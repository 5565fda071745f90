/**
 * `deno task cli chat`: an interactive chat on the terminal, with line
 * editing and history where the terminal has them (node:readline). Ctrl-C
 * stops the reply being written (twice at the prompt quits); commands:
 * /help, /clear, /system TEXT, /save FILE, /quit. When the chat outgrows
 * the context, its oldest turns are left out (the history policy of
 * `generate/history.ts`) and it says so, instead of failing.
 * @module
 */

import * as readline from "node:readline";
import process from "node:process";
import { FalconE } from "../generate/falcon_e.ts";
import { loadTextModel } from "../generate/text_model.ts";
import type { ChatMessage } from "../text/chat_template.ts";
import { type Args, MODEL_OPTIONS, type TaskSpec } from "./args.ts";
import { SAMPLING_OPTIONS, samplingOf } from "./generate.ts";
import { modelLocation, modelOptions } from "./model.ts";

/** The options of `cli chat`. */
export const CHAT_SPEC: TaskSpec = {
  usage: "deno task cli chat --model M [--system TEXT] [options]",
  about: "An interactive chat. Type /help in it for its commands.",
  options: {
    ...MODEL_OPTIONS,
    ...SAMPLING_OPTIONS,
    system: { type: "string", value: "TEXT", help: "the system prompt" },
  },
};

const HELP = `commands:
  /help          this list
  /clear         start over (the system prompt stays)
  /system TEXT   set the system prompt (/system alone removes it)
  /save FILE     write the conversation to FILE as JSON
  /quit          leave (or Ctrl-D; Ctrl-C twice)
Ctrl-C while the model writes stops its reply.`;

/** The chat's state and what its commands do to it. */
class Conversation {
  messages: ChatMessage[] = [];
  constructor(system?: string) {
    if (system) this.messages.push({ role: "system", content: system });
  }
  clear(): void {
    this.messages = this.messages.filter((m) => m.role === "system");
  }
  setSystem(text: string): void {
    this.clear();
    const turns = this.messages.filter((m) => m.role !== "system");
    this.messages = text ? [{ role: "system", content: text }, ...turns] : turns;
  }
}

/** Runs one command line; returns false to quit. */
async function command(line: string, chat: Conversation, say: (s: string) => void): Promise<boolean> {
  const [cmd, ...rest] = line.trim().split(/\s+/);
  const arg = line.trim().slice(cmd.length).trim();
  switch (cmd) {
    case "/help":
      say(HELP);
      return true;
    case "/clear":
      chat.clear();
      say("(cleared)");
      return true;
    case "/system":
      chat.setSystem(arg);
      say(arg ? "(system prompt set; chat cleared)" : "(system prompt removed; chat cleared)");
      return true;
    case "/save":
      if (rest.length === 0) say("usage: /save FILE");
      else {await Deno.writeTextFile(arg, JSON.stringify(chat.messages, null, 2) + "\n").then(() =>
          say(`(saved to ${arg})`), (e) =>
          say(`cannot save: ${e.message}`));}
      return true;
    case "/quit":
    case "/exit":
      return false;
    default:
      say(`unknown command ${cmd}; /help lists them`);
      return true;
  }
}

/** `chat`: reads lines until /quit or end of input. */
export async function chatRepl(args: Args): Promise<undefined> {
  const { location, id } = await modelLocation(args);
  const llm = FalconE.from(await loadTextModel(location, { ...modelOptions(args), ...(id ? { id } : {}) }));
  const chat = new Conversation(args.flags.get("system"));
  const tty = Deno.stdin.isTerminal();
  const rl = readline.createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: tty,
    historySize: 500,
  });
  const say = (s: string) => process.stderr.write(s + "\n");
  let replying: AbortController | undefined, lastCtrlC = 0;
  rl.on("SIGINT", () => {
    if (replying) return replying.abort();
    if (Date.now() - lastCtrlC < 2000) return rl.close();
    lastCtrlC = Date.now();
    say("\n(Ctrl-C again to quit, or /quit)");
    rl.prompt();
  });
  say(`${llm.id}: type a message; /help lists the commands; Ctrl-D quits.`);
  const lines = rl[Symbol.asyncIterator]();
  try {
    for (;;) {
      if (tty) rl.prompt();
      const next = await lines.next();
      if (next.done) break;
      const line = next.value as string;
      if (line.trim() === "") continue;
      if (line.startsWith("/")) {
        if (!(await command(line, chat, say))) break;
        continue;
      }
      chat.messages.push({ role: "user", content: line });
      replying = new AbortController();
      await reply(llm, chat, args, replying.signal, say);
      replying = undefined;
    }
  } finally {
    rl.close();
    llm.dispose();
  }
  return undefined;
}

/** Streams the model's answer to the chat and records it; trims the chat when the history policy dropped turns. */
async function reply(llm: FalconE, chat: Conversation, args: Args, signal: AbortSignal, say: (s: string) => void) {
  const stream = llm.chat(chat.messages, { ...samplingOf(args), truncate: true, signal });
  try {
    let first = 0;
    for await (const piece of stream) {
      first ||= performance.now();
      process.stdout.write(piece);
    }
    const c = await stream.completion, secs = (performance.now() - first) / 1000;
    process.stdout.write("\n");
    if (c.truncatedMessages) {
      const first = chat.messages.findIndex((m) => m.role !== "system");
      chat.messages.splice(first, c.truncatedMessages);
      say(`(${c.truncatedMessages} earlier messages left out: the chat outgrew the context)`);
    }
    chat.messages.push({ role: "assistant", content: c.text });
    if (c.finishReason === "abort") say("(stopped)");
    const n = c.usage.completionTokens, rate = first && n > 1 ? ((n - 1) / secs).toFixed(1) : "-";
    say(`[${n} tokens, ${rate} tok/s, ${c.usage.cachedTokens} prompt tokens reused]`);
  } catch (e) {
    process.stdout.write("\n");
    chat.messages.pop(); // the message that could not be answered
    say(`error: ${(e as Error).message}`);
  }
}
