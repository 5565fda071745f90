// Every broken checkpoint gets a clear error that names the problem; no crash,
// no hang, and no model is handed out.
import assert from "node:assert/strict";
import { loadModel } from "../mod.ts";
import { editConfig, editedCopy, editHeader } from "./checkpoint_edit.ts";
import { TINY } from "./reference.ts";

type Edit = (files: Map<string, Uint8Array>) => void;
type Entry = { dtype: string; shape: number[]; data_offsets: [number, number] };

const cases: [string, Edit, RegExp][] = [
  [
    "a safetensors file shorter than its 8-byte length",
    (f) => f.set("model.safetensors", new Uint8Array(5)),
    /truncated, 5 bytes is shorter than the 8-byte header length/,
  ],
  ["a header length larger than the file", (f) => {
    const b = f.get("model.safetensors")!.slice(0, 4096);
    new DataView(b.buffer).setBigUint64(0, 10_000n, true);
    f.set("model.safetensors", b);
  }, /header length 10000 is larger than the file \(4096 bytes\)/],
  ["an absurd header length", (f) => {
    const b = f.get("model.safetensors")!.slice();
    new DataView(b.buffer).setBigUint64(0, 2n ** 62n, true);
    f.set("model.safetensors", b);
  }, /header length \d+ is over the 100000000-byte limit/],
  ["a header that is not JSON", (f) => {
    const b = f.get("model.safetensors")!.slice();
    b[8] = "!".charCodeAt(0);
    f.set("model.safetensors", b);
  }, /the header is not valid JSON/],
  [
    "a truncated file",
    (f) => f.set("model.safetensors", f.get("model.safetensors")!.slice(0, 600_000)),
    /tensor "[^"]+": data_offsets \[\d+, \d+\] run past the end of the file .*truncated/,
  ],
  [
    "offsets past the end",
    (f) =>
      editHeader(f, (r) => {
        (r.header["model.norm.weight"] as Entry).data_offsets = [
          r.data.length - 100,
          r.data.length + 412,
        ];
      }),
    /tensor "model.norm.weight": data_offsets .* run past the end of the file/,
  ],
  [
    "overlapping tensors",
    (f) =>
      editHeader(f, (r) => {
        const a = r.header["model.layers.0.input_layernorm.weight"] as Entry;
        const b = r
          .header["model.layers.0.post_attention_layernorm.weight"] as Entry;
        b.data_offsets = [a.data_offsets[0] + 2, a.data_offsets[1] + 2];
      }),
    /tensors "model.layers.0.input_layernorm.weight" and "model.layers.0.post_attention_layernorm.weight" overlap/,
  ],
  [
    "a byte count that disagrees with dtype and shape",
    (f) =>
      editHeader(f, (r) => {
        (r.header["model.norm.weight"] as Entry).shape = [300];
      }),
    /tensor "model.norm.weight": BF16 \[300\] needs 600 bytes but data_offsets span 512/,
  ],
  [
    "a wrong dtype",
    (f) =>
      editHeader(f, (r) => {
        (r.header["model.norm.weight"] as Entry).dtype = "F16";
      }),
    /tensor "model.norm.weight" is F16 \[256\], but config.json implies BF16 \[256\]/,
  ],
  [
    "a wrong shape",
    (f) =>
      editHeader(f, (r) => {
        (r.header["model.layers.1.self_attn.q_proj.weight"] as Entry).shape = [
          128,
          128,
        ];
      }),
    /tensor "model.layers.1.self_attn.q_proj.weight" is U8 \[128,128\], but config.json implies U8 \[64,256\]/,
  ],
  ["an unknown dtype", (f) =>
    editHeader(f, (r) => {
      (r.header["lm_head.weight"] as Entry).dtype = "Q4";
    }), /tensor "lm_head.weight": unknown dtype "Q4"/],
  ["a missing tensor", (f) =>
    editHeader(f, (r) => {
      delete r.header["lm_head.weight"];
    }), /missing tensor "lm_head.weight"/],
  ["an unexpected tensor", (f) =>
    editHeader(f, (r) => {
      r.header["model.layers.0.self_attn.rotary_emb.inv_freq"] = {
        dtype: "U8",
        shape: [0],
        data_offsets: [0, 0],
      };
    }), /unexpected tensor "model.layers.0.self_attn.rotary_emb.inv_freq"/],
  [
    "a zero weight_scale",
    (f) =>
      editHeader(f, (r) => {
        const e = r.header["model.layers.0.mlp.up_proj.weight_scale"] as Entry;
        r.data.fill(0, e.data_offsets[0], e.data_offsets[1]);
      }),
    /tensor "model.layers.0.mlp.up_proj.weight_scale" holds 0; a weight_scale must be a positive finite number/,
  ],
  [
    "a config with more layers than the tensors",
    (f) => editConfig(f, (c) => (c.num_hidden_layers = 3)),
    /missing tensor "model.layers.2.input_layernorm.weight" \(and 15 more\)/,
  ],
  [
    "a config with another hidden size",
    (f) => editConfig(f, (c) => (c.hidden_size = 320, c.head_dim = 80)),
    /tensor "[^"]+" is BF16 \[640,256\], but config.json implies BF16 \[640,320\]/,
  ],
  [
    "a config that is not JSON",
    (f) => f.set("config.json", new TextEncoder().encode("{ hidden_size: 256 ")),
    /config.json is not valid JSON/,
  ],
  [
    "a config without vocab_size",
    (f) => editConfig(f, (c) => delete c.vocab_size),
    /config.json: "vocab_size" must be an integer >= 1, got undefined/,
  ],
  [
    "a config that is not BitNet",
    (f) => editConfig(f, (c) => delete c.quantization_config),
    /quant_method must be "bitnet"/,
  ],
  [
    "a config whose heads do not group",
    (f) => editConfig(f, (c) => (c.num_key_value_heads = 3)),
    /num_attention_heads 4 is not a multiple of num_key_value_heads 3/,
  ],
  ["no config at all", (f) => f.delete("config.json"), /no config.json in/],
  [
    "no weights file",
    (f) => f.delete("model.safetensors"),
    /cannot open .*model.safetensors/,
  ],
  [
    "a generation_config that is not JSON",
    (f) => f.set("generation_config.json", new TextEncoder().encode("nope")),
    /generation_config.json is not valid JSON/,
  ],
];

for (const [what, edit, message] of cases) {
  Deno.test(`loading refuses ${what}`, async () => {
    const dir = await editedCopy(TINY, edit);
    try {
      await assert.rejects(loadModel(dir), message);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("a failed load leaves no model behind and a good load still works after it", async () => {
  const dir = await editedCopy(
    TINY,
    (f) => f.set("model.safetensors", f.get("model.safetensors")!.slice(0, 900_000)),
  );
  try {
    let got: unknown = "unset";
    try {
      got = await loadModel(dir);
    } catch {
      // expected
    }
    assert.equal(got, "unset");
    const m = await loadModel(TINY);
    using s = m.createSession();
    assert.equal(s.feed([1, 2, 3]).length, 640);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
