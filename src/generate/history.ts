/**
 * One history policy for every conversation (the chat page, `cli chat`, and
 * the API's `truncate` extension): when a chat plus the room for the answer
 * exceeds the context, the oldest turns after the system prompt are dropped,
 * whole (a user message with the replies after it), until it fits. The
 * system prompt and the last user turn are never dropped, and no message is
 * ever split.
 * @module
 */

/** A chat message as far as the policy cares. */
export interface HistoryMessage {
  /** `system`, `user`, `assistant`, `tool`... */
  role: string;
  /** Anything else (content...) is passed through untouched. */
  [field: string]: unknown;
}

/** What {@linkcode fitHistory} kept. */
export interface FittedHistory<M extends HistoryMessage> {
  /** The messages that fit, in order. */
  messages: M[];
  /** How many messages were left out. */
  dropped: number;
  /** The prompt ids of `messages`. */
  ids: number[];
  /** Tokens the answer may take: as asked, or all that is left of the context. */
  maxTokens: number;
}

/** A chat that cannot fit even with every droppable turn gone; says how far over it is. */
export class ContextError extends Error {
  /** Always `"ContextError"`. */
  override name = "ContextError";
  /**
   * A chat too long for the context.
   * @param promptTokens Tokens of the smallest prompt the policy could make.
   * @param asked Tokens asked for the answer (or the least room the policy keeps).
   * @param context The context length.
   */
  constructor(readonly promptTokens: number, readonly asked: number, readonly context: number) {
    super(
      `the prompt takes ${promptTokens} tokens even without its earlier turns, and ${asked} more for the answer ` +
        `exceed the context of ${context}`,
    );
  }
}

/** Room an answer is given when no max_tokens is asked: a quarter of the context, at most 512 tokens. */
export function defaultRoom(context: number): number {
  return Math.max(1, Math.min(512, Math.floor(context / 4)));
}

/** Index ranges [start, end) of the droppable turns: each starts at a user message after the system prefix, before the last user message. */
function turns(messages: readonly HistoryMessage[]): [number, number][] {
  let first = 0;
  while (first < messages.length && messages[first].role === "system") first++;
  const lastUser = messages.findLastIndex((m) => m.role === "user");
  const out: [number, number][] = [];
  let start = first;
  for (let i = first + 1; i <= lastUser; i++) {
    if (messages[i].role === "user" || i === lastUser) {
      if (i > start) out.push([start, i]);
      start = i;
    }
  }
  return out;
}

/**
 * Fits a chat into the context.
 * @param messages The whole chat.
 * @param render The prompt ids of some messages.
 * @param context Positions the model has.
 * @param maxTokens Tokens asked for the answer; unset: the answer gets what is
 *   left, and turns are dropped until that is at least {@linkcode defaultRoom}.
 * @throws {ContextError} when the system prompt and the last user turn alone do not fit.
 */
export function fitHistory<M extends HistoryMessage>(
  messages: readonly M[],
  render: (messages: M[]) => number[],
  context: number,
  maxTokens?: number,
): FittedHistory<M> {
  const steps = attempts(messages, context, maxTokens);
  let r = steps.next();
  while (!r.done) r = steps.next(render(r.value));
  return r.value;
}

/** {@linkcode fitHistory} with a `render` that may take its time (a long chat tokenized off this thread). */
export async function fitHistoryAsync<M extends HistoryMessage>(
  messages: readonly M[],
  render: (messages: M[]) => Promise<number[]>,
  context: number,
  maxTokens?: number,
): Promise<FittedHistory<M>> {
  const steps = attempts(messages, context, maxTokens);
  let r = steps.next();
  while (!r.done) r = steps.next(await render(r.value));
  return r.value;
}

/** The policy, as the message lists it tries: each is rendered, and its ids sent back. */
function* attempts<M extends HistoryMessage>(
  messages: readonly M[],
  context: number,
  maxTokens?: number,
): Generator<M[], FittedHistory<M>, number[]> {
  const need = maxTokens ?? defaultRoom(context);
  const drops = turns(messages);
  let ids = yield [...messages];
  let dropped = 0, kept: M[] = [...messages];
  for (let k = 0; ids.length + need > context && k < drops.length; k++) {
    const [, end] = drops[k];
    const start = drops[0][0];
    kept = [...messages.slice(0, start), ...messages.slice(end)];
    dropped = end - start;
    ids = yield kept;
  }
  if (ids.length + need > context) throw new ContextError(ids.length, need, context);
  return { messages: kept, dropped, ids, maxTokens: maxTokens ?? context - ids.length };
}
