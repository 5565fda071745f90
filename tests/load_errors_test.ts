// Every broken checkpoint gets a clear error that names the problem; no crash,
// no hang, and no model is handed out.
import assert from "node:assert/strict";
import { loadModel } from "../mod.ts";
import { editConfig, editedCopy, editHeader, repack } from "./checkpoint_edit.ts";
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
      repack(r);
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
    /config.json: "vocab_size" must be an integer in \[1, 1048576\], got undefined/,
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
  // untrusted checkpoints: sizes bounded before anything is allocated, what the engine lacks named
  [
    "a million layers",
    (f) => editConfig(f, (c) => (c.num_hidden_layers = 1_000_000)),
    /"num_hidden_layers" must be an integer in \[1, 1024\], got 1000000/,
  ],
  [
    "sizes no wasm32 engine could hold",
    (f) => editConfig(f, (c) => (c.vocab_size = 1_000_000, c.hidden_size = 4096, c.head_dim = 1024)),
    /need 15\.3 GiB of weights; a wasm32 engine holds 4 GiB/,
  ],
  ["a gelu activation", (f) => editConfig(f, (c) => (c.hidden_act = "gelu")), /"hidden_act" "gelu" is not supported/],
  [
    "attention biases",
    (f) => editConfig(f, (c) => (c.attention_bias = true)),
    /"attention_bias" true is not supported/,
  ],
  ["MLP biases", (f) => editConfig(f, (c) => (c.mlp_bias = true)), /"mlp_bias" true is not supported/],
  [
    "an rms_norm_eps below what an f32 holds",
    (f) => editConfig(f, (c) => (c.rms_norm_eps = 1e-300)),
    /"rms_norm_eps" must be a number in \[1\.1754943508222875e-38, 1\], got 1e-300/,
  ],
  [
    "a rope_scaling type",
    (f) => editConfig(f, (c) => (c.rope_scaling = { rope_type: "yarn", factor: 4 })),
    /"rope_scaling" of type "yarn" is not supported/,
  ],
  ["a header length a few bytes short", (f) => {
    const b = f.get("model.safetensors")!.slice();
    const dv = new DataView(b.buffer);
    dv.setBigUint64(0, dv.getBigUint64(0, true) - 3n, true);
    f.set("model.safetensors", b);
  }, /bytes after the last tensor belong to no tensor|padded with spaces only/],
  [
    "trailing bytes after the last tensor",
    (f) => f.set("model.safetensors", new Uint8Array([...f.get("model.safetensors")!, 1, 2, 3])),
    /3 bytes after the last tensor belong to no tensor/,
  ],
  [
    "a gap between tensors",
    (f) =>
      editHeader(f, (r) => {
        const e = r.header["model.layers.0.input_layernorm.weight"] as Entry;
        const data = new Uint8Array(r.data.length + 16);
        data.set(r.data.subarray(0, e.data_offsets[0]));
        data.set(r.data.subarray(e.data_offsets[0]), e.data_offsets[0] + 16);
        for (const v of Object.values(r.header) as Entry[]) {
          if (v.data_offsets && v.data_offsets[0] >= e.data_offsets[0]) {
            v.data_offsets = v.data_offsets.map((x) => x + 16) as [number, number];
          }
        }
        r.data = data;
      }),
    /16 bytes before tensor "model.layers.0.input_layernorm.weight" belong to no tensor/,
  ],
  ["a name given twice in the header", (f) => {
    const b = f.get("model.safetensors")!;
    const n = Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true));
    const text = new TextDecoder().decode(b.subarray(8, 8 + n)).trimEnd();
    const first = text.match(/"(model\.norm\.weight)":(\{[^}]*\})/)!;
    const twice = new TextEncoder().encode(text.slice(0, -1) + `,"${first[1]}":${first[2]}}`);
    const out = new Uint8Array(8 + twice.length + b.length - 8 - n);
    new DataView(out.buffer).setBigUint64(0, BigInt(twice.length), true);
    out.set(twice, 8);
    out.set(b.subarray(8 + n), 8 + twice.length);
    f.set("model.safetensors", out);
  }, /the header names "model\.norm\.weight" twice/],
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

Deno.test("a model.safetensors that is a directory is refused with the file's name", async () => {
  const dir = await editedCopy(TINY, (f) => f.delete("model.safetensors"));
  try {
    await Deno.mkdir(`${dir}/model.safetensors`);
    await assert.rejects(loadModel(dir), /cannot read .*model\.safetensors: it is a directory/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
