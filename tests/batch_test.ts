// Continuous batching through the raw `forward_rows` export: rows of several
// sessions in one call give each session exactly what feeding it alone gives,
// keep every cache consistent, and refuse bad calls without touching state.
import assert from "node:assert/strict";
import { loadModel } from "../mod.ts";
import { kernelsOf, type Model, type Session } from "../src/engine/model.ts";
import type { KernelExports } from "../src/engine/kernels.ts";
import { ForwardError, Logits } from "../src/engine/abi.ts";
import { maxAbsDiff, readReference, WIDE } from "./reference.ts";

const TOL = 1e-4;
const { SLOT: E_SLOT, CONTEXT: E_CONTEXT, TOKEN: E_TOKEN, COUNT: E_COUNT } = ForwardError;

const slotOf = (s: Session) => (s as unknown as { slot: number }).slot;

/** Writes tokens and row slots, runs forward_rows; the logits (a copy) or the error code. */
function forwardRows(
  k: KernelExports,
  vocab: number,
  rows: { session: Session; id: number }[],
  all = true,
): Float32Array | number {
  const n = rows.length;
  const room = Math.max(n, 1);
  const tok = new Int32Array(k.memory.buffer, k.tokens_ptr(), room);
  const slots = new Uint32Array(k.memory.buffer, k.rows_ptr(), room);
  rows.forEach((r, t) => (tok[t] = r.id, slots[t] = slotOf(r.session)));
  const rc = k.forward_rows(n, all ? Logits.ALL : Logits.LAST);
  if (rc !== 0) return rc;
  return new Float32Array(k.memory.buffer, k.logits_ptr(), (all ? n : 1) * vocab).slice();
}

async function setup(): Promise<{ model: Model; k: KernelExports; v: number; prompts: number[][] }> {
  const ref = await readReference(WIDE);
  const model = await loadModel(WIDE, { contextLength: 256, maxSessions: 3, blockSize: 8 });
  const k = kernelsOf.get(model)!;
  assert.ok(k, "kernelsOf has the model's exports");
  // three different prompts (lengths 7, 33 and 22 ids)
  const prompts = [ref.runs[1].ids, ref.runs[2].ids, ref.runs[3].ids.slice(0, 22)];
  return { model, k, v: model.config.vocabSize, prompts };
}

const CONT = [[5, 17, 200, 3, 99], [42, 7, 7, 300, 1], [11, 250, 60, 8, 123]]; // fed after each prompt

Deno.test("forward_rows: three sessions stepped together match each session fed alone", async () => {
  const { model, k, v, prompts } = await setup();
  // (a) each session alone: prompt, then its continuation one token at a time, then one more
  const alone: Float32Array[][] = [];
  const afterAlone: Float32Array[] = [];
  for (let i = 0; i < 3; i++) {
    using s = model.createSession();
    const steps = [s.feed(prompts[i])];
    for (const id of CONT[i]) steps.push(s.feed([id]));
    alone.push(steps);
    afterAlone.push(s.feed([77]));
  }
  // (b) prompts fed per session, then every continuation step as one call of three rows
  const ss = [model.createSession(), model.createSession(), model.createSession()];
  for (let i = 0; i < 3; i++) {
    assert.ok(maxAbsDiff(ss[i].feed(prompts[i]), alone[i][0]) < TOL);
  }
  for (let step = 0; step < CONT[0].length; step++) {
    // a different session order each step: any order of sessions is allowed
    const order = [[0, 1, 2], [2, 0, 1], [1, 2, 0]][step % 3];
    const out = forwardRows(k, v, order.map((i) => ({ session: ss[i], id: CONT[i][step] })));
    assert.ok(out instanceof Float32Array, `forward_rows returned ${out}`);
    order.forEach((i, row) => {
      const d = maxAbsDiff(out.subarray(row * v, (row + 1) * v), alone[i][step + 1]);
      assert.ok(d < TOL, `session ${i} step ${step}: |dlogit| ${d}`);
    });
  }
  for (let i = 0; i < 3; i++) {
    assert.equal(ss[i].position, prompts[i].length + CONT[i].length);
    // the caches stay consistent: a later single feed matches
    const d = maxAbsDiff(ss[i].feed([77]), afterAlone[i]);
    assert.ok(d < TOL, `session ${i} after batching: |dlogit| ${d}`);
  }
  // all_logits = 0: only the last row's logits
  const all = forwardRows(k, v, [0, 1, 2].map((i) => ({ session: ss[i], id: 9 })), true) as Float32Array;
  for (const s of ss) s.truncate(s.position - 1);
  const last = forwardRows(k, v, [0, 1, 2].map((i) => ({ session: ss[i], id: 9 })), false) as Float32Array;
  assert.equal(last.length, v);
  assert.ok(maxAbsDiff(last, all.subarray(2 * v)) === 0);
  model.dispose();
});

Deno.test("forward_rows: prefill chunks of different sessions in one call ([s0, s0, s1, s2, s2, s2])", async () => {
  const { model, k, v, prompts } = await setup();
  // alone: every position's logits of each prompt
  const alone = prompts.map((p) => {
    using s = model.createSession();
    return s.feed(p, { allLogits: true });
  });
  const ss = [model.createSession(), model.createSession(), model.createSession()];
  const fed = [0, 0, 0];
  // rounds of mixed rows until every prompt is in; the first is the brief's [s0, s0, s1, s2, s2, s2],
  // later ones interleave sessions (a session's rows take its next positions in row order)
  const pattern = [[0, 0, 1, 2, 2, 2], [1, 1, 1, 0, 2, 2, 2, 2], [2, 0, 1, 0, 2, 1, 0]];
  for (let round = 0; fed.some((f, i) => f < prompts[i].length); round++) {
    const rows: { session: Session; id: number }[] = [];
    const who: { i: number; at: number }[] = [];
    const next = fed.slice();
    for (const i of pattern[round % pattern.length]) {
      if (next[i] >= prompts[i].length) continue;
      const at = next[i]++;
      who.push({ i, at });
      rows.push({ session: ss[i], id: prompts[i][at] });
    }
    const out = forwardRows(k, v, rows);
    assert.ok(out instanceof Float32Array, `round ${round}: forward_rows returned ${out}`);
    who.forEach(({ i, at }, row) => {
      const d = maxAbsDiff(out.subarray(row * v, (row + 1) * v), alone[i].subarray(at * v, (at + 1) * v));
      assert.ok(d < TOL, `round ${round}: session ${i} position ${at}: |dlogit| ${d}`);
    });
    for (let i = 0; i < 3; i++) fed[i] = next[i];
    for (let i = 0; i < 3; i++) assert.equal(ss[i].position, fed[i]);
  }
  // the literal mix of the brief on fresh sessions
  for (const s of ss) s.reset();
  const out = forwardRows(k, v, [
    { session: ss[0], id: prompts[0][0] },
    { session: ss[0], id: prompts[0][1] },
    { session: ss[1], id: prompts[1][0] },
    { session: ss[2], id: prompts[2][0] },
    { session: ss[2], id: prompts[2][1] },
    { session: ss[2], id: prompts[2][2] },
  ]) as Float32Array;
  const want = [[0, 0], [0, 1], [1, 0], [2, 0], [2, 1], [2, 2]];
  want.forEach(([i, at], row) => {
    assert.ok(maxAbsDiff(out.subarray(row * v, (row + 1) * v), alone[i].subarray(at * v, (at + 1) * v)) < TOL);
  });
  assert.deepEqual(ss.map((s) => s.position), [2, 1, 3]);
  // and the rest of each prompt fed alone continues the same cache
  for (let i = 0; i < 3; i++) {
    const rest = ss[i].feed(prompts[i].slice(ss[i].position), { allLogits: true });
    const from = prompts[i].length - rest.length / v;
    assert.ok(maxAbsDiff(rest, alone[i].subarray(from * v)) < TOL, `session ${i} rest of prompt`);
  }
  model.dispose();
});

Deno.test("forward_rows: every error code leaves every session's position and cache unchanged", async () => {
  const { model, k, v, prompts } = await setup();
  const ss = [model.createSession(), model.createSession(), model.createSession()];
  ss[0].feed(prompts[0]);
  ss[1].feed(prompts[1]);
  // session 2 two positions short of the context
  const filler = Array.from({ length: model.contextLength - 2 }, (_, i) => (i * 37) % v);
  ss[2].feed(filler);
  const positions = () => ss.map((s) => s.position);
  const before = positions();
  // what the next token gives on each session, computed on snapshots of the state
  const probe = [3, 4, 5];
  const expect = ss.map((s, i) => {
    const l = s.feed([probe[i]]);
    s.truncate(before[i]);
    return l;
  });
  const ok = (r: { session: Session; id: number }) => r;
  const bad = (rows: { session: Session; id: number }[], code: number, what: string, raw?: (n: number) => void) => {
    let rc: number | Float32Array;
    if (raw) {
      raw(rows.length);
      rc = k.forward_rows(rows.length, Logits.ALL);
    } else rc = forwardRows(k, v, rows);
    assert.equal(rc, code, what);
    assert.deepEqual(positions(), before, `${what}: positions unchanged`);
  };
  const s0 = ok({ session: ss[0], id: 1 }), s1 = ok({ session: ss[1], id: 2 });
  // E_COUNT: no rows, more rows than a block
  bad([], E_COUNT, "n = 0");
  const nine = Array.from({ length: 9 }, () => s1);
  bad(nine, E_COUNT, "n = block + 1", () => {});
  // E_SLOT: a slot past maxSessions, after valid rows
  bad([s0, s1, s0], E_SLOT, "slot 3", () => {
    const t = new Int32Array(k.memory.buffer, k.tokens_ptr(), 3), r = new Uint32Array(k.memory.buffer, k.rows_ptr(), 3);
    t.set([1, 2, 1]), r.set([slotOf(ss[0]), slotOf(ss[1]), 3]);
  });
  // E_CONTEXT: three rows for a session with room for two (valid rows of others before)
  bad([s0, s1, ...[7, 8, 9].map((id) => ({ session: ss[2], id }))], E_CONTEXT, "past the context");
  // E_TOKEN: an id outside the vocabulary, or negative
  bad([s0, { session: ss[1], id: v }], E_TOKEN, "token = vocab");
  bad([{ session: ss[2], id: -1 }, s1], E_TOKEN, "token = -1");
  // the single-session wrapper reports the same codes
  assert.equal(k.forward(3, 1, 0), E_SLOT);
  assert.equal(k.forward(slotOf(ss[0]), 0, 0), E_COUNT);
  assert.equal(k.forward(slotOf(ss[0]), 9, 0), E_COUNT);
  assert.deepEqual(positions(), before);
  // caches unchanged: each session's next token gives the same logits as before the failed calls
  ss.forEach((s, i) => assert.ok(maxAbsDiff(s.feed([probe[i]]), expect[i]) === 0, `session ${i} cache changed`));
  // exactly filling the context is fine
  ss[2].truncate(before[2]);
  const fill = forwardRows(k, v, [s0, { session: ss[2], id: 7 }, { session: ss[2], id: 8 }]);
  assert.ok(fill instanceof Float32Array);
  assert.equal(ss[2].position, model.contextLength);
  model.dispose();
});

Deno.test("forward_rows with wanted rows computes logits only for the flagged rows, equal to all-rows mode", async () => {
  const { model, k, v, prompts } = await setup();
  const s = [model.createSession(), model.createSession(), model.createSession()];
  s.forEach((x, i) => x.feed(prompts[i]));
  const mk = () => [
    { session: s[0], id: 5 },
    { session: s[0], id: 9 },
    { session: s[1], id: 3 },
    { session: s[2], id: 7 },
    { session: s[2], id: 8 },
    { session: s[2], id: 2 },
  ];
  const wantedRows = [1, 2, 5]; // the last row of each session
  const all = forwardRows(k, v, mk(), true) as Float32Array;
  s.forEach((x, i) => x.truncate(prompts[i].length)); // rewind, run again with the want mask
  const rows = mk();
  const tok = new Int32Array(k.memory.buffer, k.tokens_ptr(), rows.length);
  const slots = new Uint32Array(k.memory.buffer, k.rows_ptr(), rows.length);
  const want = new Uint8Array(k.memory.buffer, k.want_ptr(), rows.length);
  rows.forEach((r, t) => (tok[t] = r.id, slots[t] = slotOf(r.session), want[t] = wantedRows.includes(t) ? 1 : 0));
  assert.equal(k.forward_rows(rows.length, Logits.WANTED), 0);
  const got = new Float32Array(k.memory.buffer, k.logits_ptr(), wantedRows.length * v);
  wantedRows.forEach((t, j) => {
    assert.ok(maxAbsDiff(got.subarray(j * v, (j + 1) * v), all.subarray(t * v, (t + 1) * v)) < TOL, `row ${t}`);
  });
  assert.deepEqual(s.map((x) => x.position), prompts.map((p, i) => p.length + [2, 1, 3][i]));
});
