import assert from "node:assert/strict";
import { StopMatcher } from "../src/text/stop.ts";

/** Feeds pieces; returns everything emitted (flush included when no stop) and whether it stopped. */
function run(
  stops: string[],
  pieces: string[],
): { emitted: string[]; stopped: boolean; matched?: string } {
  const m = new StopMatcher(stops);
  const emitted: string[] = [];
  for (const p of pieces) {
    const r = m.push(p);
    emitted.push(r.text);
    if (r.stopped) return { emitted, stopped: true, matched: m.matched };
  }
  emitted.push(m.flush());
  return { emitted, stopped: false };
}

Deno.test("a stop string split over two pieces is found and none of it leaks", () => {
  const r = run(["abc"], ["xxab", "c tail"]);
  assert.deepStrictEqual(r.emitted, ["xx", ""]);
  assert.equal(r.stopped, true);
  assert.equal(r.matched, "abc");
});

Deno.test("a stop string split one character per piece is found", () => {
  const r = run(["abc"], ["1", "a", "b", "c", "2"]);
  assert.deepStrictEqual(r.emitted, ["1", "", "", ""]);
  assert.equal(r.stopped, true);
});

Deno.test("a held-back prefix that turns out not to be a stop is released", () => {
  const r = run(["abc"], ["xab", "d"]);
  assert.deepStrictEqual(r.emitted, ["x", "abd", ""]);
  assert.equal(r.stopped, false);
});

Deno.test("overlapping prefixes: 'aab' with stop 'ab' emits 'a' and stops", () => {
  assert.deepStrictEqual(run(["ab"], ["a", "a", "b"]).emitted, ["", "a", ""]);
  assert.deepStrictEqual(run(["ab"], ["aab"]).emitted, ["a"]);
  const r = run(["aab"], ["a", "a", "a", "b"]);
  assert.deepStrictEqual(r.emitted, ["", "", "a", ""]);
  assert.equal(r.stopped, true);
});

Deno.test("with several stops the earliest occurrence wins", () => {
  const r = run(["world", "lo w"], ["hel", "lo wor", "ld"]);
  assert.deepStrictEqual(r.emitted, ["he", "l"]);
  assert.equal(r.matched, "lo w");
  const s = run(["\n\n", "END"], ["one\n", "two E", "N", "D\n\n"]);
  assert.deepStrictEqual(s.emitted, ["one", "\ntwo ", "", ""]);
  assert.equal(s.matched, "END");
});

Deno.test("only the longest suffix that can still begin a stop is held back", () => {
  const m = new StopMatcher(["</answer>", "STOP"]);
  assert.deepStrictEqual(m.push("result </ans"), {
    text: "result ",
    stopped: false,
  });
  assert.deepStrictEqual(m.push("wer?"), { text: "</answer?", stopped: false });
  assert.deepStrictEqual(m.push("ST"), { text: "", stopped: false });
  assert.equal(m.flush(), "ST");
});

Deno.test("a stop at the very start emits nothing", () => {
  const r = run(["abc"], ["abc", "more"]);
  assert.deepStrictEqual(r.emitted, [""]);
  assert.equal(r.stopped, true);
});

Deno.test("without a stop everything comes out unchanged", () => {
  const pieces = ["Hello", ", ", "wor", "ld", "!"];
  const r = run(["xyz"], pieces);
  assert.equal(r.emitted.join(""), pieces.join(""));
  assert.equal(r.stopped, false);
  assert.deepStrictEqual(run([], pieces).emitted, [...pieces, ""]);
});

Deno.test("after a stop, pushes return nothing and flush is empty", () => {
  const m = new StopMatcher(["."]);
  assert.deepStrictEqual(m.push("a.b"), { text: "a", stopped: true });
  assert.deepStrictEqual(m.push("more"), { text: "", stopped: true });
  assert.equal(m.flush(), "");
  assert.equal(m.stopped, true);
});

Deno.test("stop strings with multi-byte characters match across pieces", () => {
  const r = run(["日本"], ["今日", "は日", "本です"]);
  assert.deepStrictEqual(r.emitted, ["今", "日は", ""]);
  assert.equal(r.stopped, true);
});

Deno.test("matching random splits of a text agrees with searching the whole text", () => {
  let seed = 12345;
  const rand = (n: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;
  const stops = ["aab", "ba", "abba"];
  for (let trial = 0; trial < 300; trial++) {
    const text = Array.from({ length: 12 }, () => "ab"[rand(2)]).join("");
    const pieces: string[] = [];
    for (let i = 0; i < text.length;) {
      const k = 1 + rand(3);
      pieces.push(text.slice(i, i + k));
      i += k;
    }
    const firsts = stops.map((s) => text.indexOf(s)).filter((i) => i >= 0);
    const expected = firsts.length ? text.slice(0, Math.min(...firsts)) : text;
    const r = run(stops, pieces);
    assert.equal(
      r.emitted.join(""),
      expected,
      `${text} split ${JSON.stringify(pieces)}`,
    );
    assert.equal(r.stopped, firsts.length > 0);
  }
});

Deno.test("empty or non-string stop strings are rejected with a RangeError", () => {
  assert.throws(
    () => new StopMatcher(["ok", ""]),
    (e) => e instanceof RangeError && /stop string 1/.test(e.message),
  );
  assert.throws(() => new StopMatcher([3 as unknown as string]), RangeError);
});
