import assert from "node:assert/strict";
import { Rng, Sampler, type SamplerOptions } from "../src/text/sampler.ts";

/** Random logits in [-scale, scale) from a seeded stream, for reproducible inputs. */
function randomLogits(n: number, seed: number, scale = 8): Float32Array {
  const r = new Rng(seed);
  return Float32Array.from(
    { length: n },
    () => (r.nextFloat() * 2 - 1) * scale,
  );
}

function argmax(x: Float32Array): number {
  let b = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[b]) b = i;
  return b;
}

function softmax(x: ArrayLike<number>, temperature = 1): number[] {
  const v = Array.from(x, (a) => a / temperature);
  const m = Math.max(...v);
  const e = v.map((a) => Math.exp(a - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((a) => a / z);
}

/** Counts per id of `n` draws by one seeded sampler (no penalties, so draws are independent). */
function counts(
  logits: Float32Array,
  options: SamplerOptions,
  n: number,
): number[] {
  const c = new Array(logits.length).fill(0);
  const s = new Sampler({ ...options, seed: 2024 });
  for (let i = 0; i < n; i++) c[s.sample(logits).id]++;
  return c;
}

function chiSquare(observed: number[], probs: number[]): number {
  const n = observed.reduce((a, b) => a + b, 0);
  return observed.reduce(
    (acc, o, i) =>
      acc +
      (probs[i] === 0 ? (o === 0 ? 0 : Infinity) : (o - n * probs[i]) ** 2 / (n * probs[i])),
    0,
  );
}

Deno.test("the same seed, options and logits give the same ids; another seed gives others", () => {
  const opts = { temperature: 1.3, topP: 0.95, topK: 40, seed: 99 };
  const run = (o: SamplerOptions) => {
    const s = new Sampler(o);
    return Array.from(
      { length: 200 },
      (_, i) => s.sample(randomLogits(512, i, 3)).id,
    );
  };
  const a = run(opts);
  assert.deepStrictEqual(run(opts), a);
  assert.notDeepStrictEqual(run({ ...opts, seed: 100 }), a);
  assert.equal(new Sampler(opts).seed, 99);
});

Deno.test("the PRNG is deterministic per seed, uses all 64 seed bits, and is roughly uniform", () => {
  const take = (seed: number) => {
    const r = new Rng(seed);
    return Array.from({ length: 8 }, () => r.nextUint32());
  };
  assert.deepStrictEqual(take(7), take(7));
  assert.notDeepStrictEqual(take(7), take(8));
  assert.notDeepStrictEqual(take(7), take(7 + 2 ** 32));
  assert.notDeepStrictEqual(take(-1), take(2 ** 32 - 1));
  const r = new Rng(1);
  const bins = new Array(10).fill(0);
  for (let i = 0; i < 100_000; i++) {
    const u = r.nextFloat();
    assert.ok(u >= 0 && u < 1);
    bins[Math.floor(u * 10)]++;
  }
  assert.ok(chiSquare(bins, new Array(10).fill(0.1)) < 40, `bins ${bins}`);
});

Deno.test("without a seed the sampler draws a random one", () => {
  const seeds = new Set(Array.from({ length: 8 }, () => new Sampler().seed));
  assert.ok(seeds.size > 1);
  for (const s of seeds) assert.ok(Number.isInteger(s));
});

Deno.test("temperature 0 is greedy: the argmax over a 32768 vocabulary, lowest id on ties", () => {
  for (let t = 0; t < 5; t++) {
    const x = randomLogits(32768, t);
    assert.equal(new Sampler({ temperature: 0 }).sample(x).id, argmax(x));
  }
  assert.equal(
    new Sampler({ temperature: 0 }).sample(new Float32Array([1, 3, 3, 2])).id,
    1,
  );
});

Deno.test("greedy without logprobs skips the softmax: the same ids (penalties and masks too), the logprob NaN", () => {
  const o: SamplerOptions = {
    temperature: 0,
    frequencyPenalty: 0.5,
    repetitionPenalty: 1.3,
    logitBias: new Map([[7, 3]]),
  };
  const mask = new Int32Array(1024).fill(-1);
  mask[0] = ~(1 << 5); // id 5 not allowed
  const withLp = new Sampler(o, [1, 2, 3]), without = new Sampler({ ...o, logprobs: false }, [1, 2, 3]);
  for (let t = 0; t < 12; t++) {
    const x = randomLogits(32768, 100 + (t % 3)); // repeats, so the penalties decide
    const a = withLp.sample(x, t % 2 ? mask : undefined), b = without.sample(x, t % 2 ? mask : undefined);
    assert.equal(b.id, a.id);
    assert.ok(Number.isFinite(a.logprob));
    assert.ok(Number.isNaN(b.logprob));
  }
  // asked for top logprobs, or sampling at a temperature: they are computed anyway
  const top = new Sampler({ temperature: 0, logprobs: false, topLogprobs: 2 }).sample(new Float32Array([0, 1]));
  assert.ok(Number.isFinite(top.logprob) && top.topLogprobs.length === 2);
  assert.ok(Number.isFinite(new Sampler({ logprobs: false, seed: 1 }).sample(new Float32Array([0, 1])).logprob));
  assert.throws(() => new Sampler({ logprobs: 1 as never }), /logprobs must be a boolean, got 1/);
});

Deno.test("top_k 1 and a tiny top_p both reduce to greedy whatever the seed", () => {
  const x = randomLogits(32768, 42, 2);
  const best = argmax(x);
  for (let seed = 0; seed < 50; seed++) {
    assert.equal(
      new Sampler({ topK: 1, temperature: 2, seed }).sample(x).id,
      best,
    );
    assert.equal(
      new Sampler({ topP: 1e-9, temperature: 2, seed }).sample(x).id,
      best,
    );
  }
});

Deno.test("tokens tied with the top-k cut are all kept", () => {
  assert.deepStrictEqual(
    counts(new Float32Array([4, 1, 4, 3]), { topK: 1 }, 400).map((c) => c > 0),
    [
      true,
      false,
      true,
      false,
    ],
  );
  assert.deepStrictEqual(
    counts(new Float32Array([4, 1, 4, 3]), { topK: 3 }, 2000).map((c) => c > 0),
    [
      true,
      false,
      true,
      true,
    ],
  );
});

Deno.test("top_k and top_p draw only from the brute-force top-k set and nucleus", () => {
  const x = randomLogits(32768, 7, 6);
  const order = Array.from(x.keys()).sort((a, b) => x[b] - x[a] || a - b);
  const topK = new Set(order.slice(0, 50));
  const p = softmax(x);
  const nucleus = new Set<number>();
  let cum = 0;
  for (const id of order) {
    if (cum >= 0.5) break;
    nucleus.add(id);
    cum += p[id];
  }
  assert.ok(nucleus.size > 10, `nucleus of ${nucleus.size}`);
  const sk = new Sampler({ topK: 50, seed: 1 }),
    sp = new Sampler({ topP: 0.5, seed: 1 });
  const seenK = new Set<number>(), seenP = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const k = sk.sample(x).id, q = sp.sample(x).id;
    assert.ok(topK.has(k), `top_k drew ${k}`);
    assert.ok(nucleus.has(q), `top_p drew ${q}`);
    seenK.add(k);
    seenP.add(q);
  }
  assert.ok(
    seenK.size > 10 && seenP.size > 5,
    `drew ${seenK.size} and ${seenP.size} distinct ids`,
  );
});

Deno.test("min_p 1 keeps only the maximum logits; min_p 0.5 drops tokens under half the top probability", () => {
  const tied = new Float32Array([0, 4, -1, 4, 3.99]);
  assert.deepStrictEqual(
    counts(tied, { minP: 1 }, 400).map((c) => c > 0),
    [false, true, false, true, false],
  );
  const x = new Float32Array([
    Math.log(1),
    Math.log(0.6),
    Math.log(0.4),
    Math.log(0.3),
  ]);
  assert.deepStrictEqual(counts(x, { minP: 0.5 }, 400).map((c) => c > 0), [
    true,
    true,
    false,
    false,
  ]);
  assert.deepStrictEqual(counts(x, { minP: 0 }, 2000).map((c) => c > 0), [
    true,
    true,
    true,
    true,
  ]);
});

Deno.test("at temperature 1 the draws follow softmax(logits) (chi-square), and clearly not uniform", () => {
  const x = new Float32Array([2, 1, 0.5, 0, -1, -3]);
  const c = counts(x, {}, 20_000);
  const chi = chiSquare(c, softmax(x));
  assert.ok(chi < 30, `chi-square ${chi.toFixed(1)} for ${c}`); // 5 degrees of freedom: p < 1e-5
  assert.ok(
    chiSquare(c, new Array(6).fill(1 / 6)) > 1000,
    "uniform draws would pass too",
  );
});

Deno.test("temperature, top_k and top_p reshape the distribution as specified", () => {
  const x = new Float32Array([2, 1, 0.5, 0, -1, -3]);
  const cold = counts(x, { temperature: 0.5 }, 20_000);
  assert.ok(chiSquare(cold, softmax(x, 0.5)) < 30, `T=0.5: ${cold}`);
  const top3 = counts(x, { topK: 3 }, 20_000);
  assert.ok(
    chiSquare(top3, [...softmax(x.subarray(0, 3)), 0, 0, 0]) < 30,
    `top_k=3: ${top3}`,
  );
  // softmax(x) = .57 .21 .13 .08 .03 .002: top_p 0.8 keeps the first three.
  const nucleus = counts(x, { topP: 0.8 }, 20_000);
  assert.ok(
    chiSquare(nucleus, [...softmax(x.subarray(0, 3)), 0, 0, 0]) < 30,
    `top_p=0.8: ${nucleus}`,
  );
});

Deno.test("a repetition penalty divides positive and multiplies negative logits of seen tokens", () => {
  const pos = new Float32Array([2, 1.9, 0]);
  assert.equal(new Sampler({ temperature: 0 }, [0]).sample(pos).id, 0);
  assert.equal(
    new Sampler({ temperature: 0, repetitionPenalty: 1.2 }, [0]).sample(pos).id,
    1,
  );
  const neg = new Float32Array([-1, -1.1, -5]);
  assert.equal(
    new Sampler({ temperature: 0, repetitionPenalty: 1.2 }, [0]).sample(neg).id,
    1,
  );
  // Generated tokens count as seen too.
  const s = new Sampler({ temperature: 0, repetitionPenalty: 1.2 });
  assert.deepStrictEqual([s.sample(pos).id, s.sample(pos).id], [0, 1]);
});

Deno.test("frequency and presence penalties steer greedy choices by what was generated", () => {
  const x = new Float32Array([2, 1.5, 0]);
  const seq = (o: SamplerOptions) => {
    const s = new Sampler({ temperature: 0, ...o });
    return Array.from({ length: 4 }, () => s.sample(x).id);
  };
  assert.deepStrictEqual(seq({}), [0, 0, 0, 0]);
  assert.deepStrictEqual(seq({ frequencyPenalty: 0.3 }), [0, 0, 1, 0]); // 2, 1.7 > 1.5, 1.4 < 1.5, 1.4 > 1.2
  assert.deepStrictEqual(seq({ presencePenalty: 0.6 }), [0, 1, 0, 0]); // 1.4 < 1.5, then 1.4 > 0.9
  const y = new Float32Array([1.5, 2]);
  const s = new Sampler({ temperature: 0, presencePenalty: -1 });
  s.sample(new Float32Array([3, 0]));
  assert.equal(
    s.sample(y).id,
    0,
    "a negative presence penalty favours repeats",
  );
});

Deno.test("logprobs are the log-softmax after penalties and temperature, and top logprobs are ordered", () => {
  const x = randomLogits(32768, 3, 5);
  const s = new Sampler({ temperature: 0.7, seed: 5, topLogprobs: 5 });
  const r = s.sample(x);
  const scaled = Float32Array.from(x, (v) => v / 0.7);
  const m = Math.max(...scaled);
  const logZ = m + Math.log(scaled.reduce((a, v) => a + Math.exp(v - m), 0));
  assert.ok(Math.abs(r.logprob - (scaled[r.id] - logZ)) < 1e-6);
  assert.equal(r.topLogprobs.length, 5);
  assert.equal(r.topLogprobs[0].id, argmax(x));
  for (let i = 1; i < 5; i++) {
    assert.ok(r.topLogprobs[i].logprob <= r.topLogprobs[i - 1].logprob);
  }
  const mass = r.topLogprobs.reduce((a, t) => a + Math.exp(t.logprob), 0);
  assert.ok(mass <= 1 && mass > 0);
  const all = new Sampler({ topLogprobs: 8, seed: 1 }).sample(
    new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]),
  );
  assert.ok(
    Math.abs(all.topLogprobs.reduce((a, t) => a + Math.exp(t.logprob), 0) - 1) <
      1e-9,
  );
  const greedy = new Sampler({ temperature: 0 }).sample(
    new Float32Array([0, Math.log(3)]),
  );
  assert.ok(
    Math.abs(greedy.logprob - Math.log(0.75)) < 1e-6,
    "greedy logprobs use temperature 1",
  );
  assert.deepStrictEqual(greedy.topLogprobs, []);
});

Deno.test("sampling leaves the caller's logits untouched", () => {
  const x = new Float32Array([1, -2, 3]);
  new Sampler({ temperature: 0.5, repetitionPenalty: 2, frequencyPenalty: 1 }, [
    0,
    1,
    2,
  ]).sample(x);
  assert.deepStrictEqual(Array.from(x), [1, -2, 3]);
});

Deno.test("out-of-range options are RangeErrors naming the option", () => {
  const bad: [SamplerOptions, string][] = [
    [{ temperature: -0.1 }, "temperature"],
    [{ temperature: 2.5 }, "temperature"],
    [{ temperature: NaN }, "temperature"],
    [{ topP: 0 }, "top_p"],
    [{ topP: 1.01 }, "top_p"],
    [{ topK: -1 }, "top_k"],
    [{ topK: 2.5 }, "top_k"],
    [{ minP: 1.5 }, "min_p"],
    [{ minP: -0.1 }, "min_p"],
    [{ repetitionPenalty: 0 }, "repetition_penalty"],
    [{ repetitionPenalty: Infinity }, "repetition_penalty"],
    [{ frequencyPenalty: 2.1 }, "frequency_penalty"],
    [{ presencePenalty: -3 }, "presence_penalty"],
    [{ seed: 1.5 }, "seed"],
    [{ topLogprobs: -1 }, "top_logprobs"],
    [{ temperature: "1" as unknown as number }, "temperature"],
  ];
  for (const [o, name] of bad) {
    assert.throws(
      () => new Sampler(o),
      (e) => e instanceof RangeError && e.message.startsWith(`${name} must be`),
      JSON.stringify(o),
    );
  }
  assert.doesNotThrow(() =>
    new Sampler({
      temperature: 2,
      topP: 1,
      topK: 0,
      minP: 1,
      frequencyPenalty: -2,
      presencePenalty: 2,
    })
  );
});

Deno.test("unusable logits are RangeErrors", () => {
  const s = new Sampler({ seed: 1 });
  assert.throws(() => s.sample(new Float32Array(0)), RangeError);
  assert.throws(() => s.sample(new Float32Array([0, NaN])), /logit 1 is NaN/);
  assert.throws(
    () => s.sample(new Float32Array([-Infinity, -Infinity])),
    /every logit is -Infinity/,
  );
  assert.equal(s.sample(new Float32Array([-Infinity, 0, -Infinity])).id, 1);
});

Deno.test("a grammar's mask leaves only its tokens; logit_bias moves logits before it, and is range-checked", () => {
  const logits = new Float32Array([
    5,
    1,
    0.5,
    4,
    3,
    2,
    0,
    -1,
    9,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    7,
  ]);
  const mask = new Int32Array(2);
  for (const id of [1, 4, 32]) mask[id >>> 5] |= 1 << (id & 31);
  const greedy = new Sampler({ temperature: 0 });
  assert.equal(greedy.sample(logits, mask).id, 32, "the best allowed token");
  const seen = new Set<number>();
  const s = new Sampler({ temperature: 2, seed: 1 });
  for (let i = 0; i < 200; i++) seen.add(s.sample(logits, mask).id);
  assert.deepEqual([...seen].sort((a, b) => a - b), [1, 4, 32]);
  const biased = new Sampler({ temperature: 0, logitBias: new Map([[1, 100], [8, -100]]) });
  assert.equal(biased.sample(logits).id, 1);
  assert.equal(new Sampler({ temperature: 0, logitBias: new Map([[8, -100]]) }).sample(logits).id, 32);
  assert.throws(() => new Sampler({ logitBias: new Map([[3, 101]]) }), /logit_bias\[3\]/);
  assert.throws(() => greedy.sample(logits, new Int32Array(2)), /no token can be chosen/);
});
