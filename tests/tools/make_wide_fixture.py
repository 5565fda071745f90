"""Writes tests/fixtures/wide-falcon-e (and odd-falcon-e, a 1-layer model whose
explicit head_dim makes the query width 256 differ from hidden 384): a random Falcon-E-shaped checkpoint whose
sizes differ from tiny-falcon-e on every axis the engine cares about (dims that are
multiples of 16 but not of 256, head_dim 56 left implicit, 3 KV heads for 6 query
heads, rope_theta 500000 in the `rope_parameters` form, eps 1e-6, three layers),
and its reference.json computed by np_ref.py (the numpy spec that reproduces
transformers' BitLinear). Deterministic; rerun only to change the fixture.

usage: python3 tests/tools/make_wide_fixture.py
"""
import json
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import np_ref  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "wide-falcon-e")
CFG = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "vocab_size": 528,
    "hidden_size": 336,
    "intermediate_size": 912,
    "num_hidden_layers": 3,
    "num_attention_heads": 6,
    "num_key_value_heads": 3,
    "hidden_act": "silu",
    "max_position_embeddings": 4096,
    "rms_norm_eps": 1e-06,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "tie_word_embeddings": False,
    "attention_bias": False,
    "mlp_bias": False,
    "torch_dtype": "bfloat16",
    "quantization_config": {"quant_method": "bitnet", "modules_to_not_convert": ["lm_head"]},
    "rope_parameters": {"rope_theta": 500000.0, "rope_type": "default"},
}


def bf16(a):
    """float32 -> bf16 bits, round to nearest even."""
    u = np.asarray(a, dtype=np.float32).view(np.uint32).astype(np.uint64)
    r = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return r.astype(np.uint16)


def pack(t):
    """ternary [out, in] in {-1,0,1} -> U8 [out/4, in], transformers' layout."""
    codes = (t + 1).astype(np.uint8)
    r = t.shape[0] // 4
    out = np.zeros((r, t.shape[1]), dtype=np.uint8)
    for k in range(4):
        out |= codes[k * r:(k + 1) * r] << (2 * k)
    return out


ODD = {**{k: v for k, v in CFG.items() if k != "rope_parameters"},
       "hidden_size": 384, "intermediate_size": 1040, "num_attention_heads": 8, "num_key_value_heads": 4,
       "head_dim": 32, "vocab_size": 272, "num_hidden_layers": 1, "rms_norm_eps": 3e-06, "rope_theta": 25000.0}

# name -> (config, seed)
FIXTURES = {"wide-falcon-e": (CFG, 20261122), "odd-falcon-e": (ODD, 7)}


def main(c=None, out=None, seed=20261122):
    c = c or CFG
    out = out or OUT
    rng = np.random.default_rng(seed)
    h, m, v = c["hidden_size"], c["intermediate_size"], c["vocab_size"]
    hd = c.get("head_dim") or h // c["num_attention_heads"]
    q, kv = c["num_attention_heads"] * hd, c["num_key_value_heads"] * hd
    tensors = {"model.embed_tokens.weight": ("BF16", bf16(rng.normal(0, 1.0, (v, h))))}
    shapes = {"q_proj": (q, h), "k_proj": (kv, h), "v_proj": (kv, h), "o_proj": (h, q),
              "gate_proj": (m, h), "up_proj": (m, h), "down_proj": (h, m)}
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        tensors[p + "input_layernorm.weight"] = ("BF16", bf16(rng.normal(1.0, 0.25, h)))
        tensors[p + "post_attention_layernorm.weight"] = ("BF16", bf16(rng.normal(1.0, 0.25, h)))
        for name, (o, n) in shapes.items():
            sub = "self_attn." if name[0] in "qkvo" else "mlp."
            t = rng.choice(np.array([-1, 0, 1], dtype=np.int8), size=(o, n), p=[0.3, 0.4, 0.3])
            tensors[f"{p}{sub}{name}.weight"] = ("U8", pack(t))
            tensors[f"{p}{sub}{name}.weight_scale"] = ("BF16", bf16([rng.uniform(20.0, 60.0)]))
    tensors["model.norm.weight"] = ("BF16", bf16(rng.normal(1.0, 0.25, h)))
    tensors["lm_head.weight"] = ("BF16", bf16(rng.normal(0, 0.12, (v, h))))

    os.makedirs(out, exist_ok=True)
    header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        dt, arr = tensors[name]
        b = arr.tobytes()
        header[name] = {"dtype": dt, "shape": list(arr.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    hj = json.dumps(header, separators=(",", ":")).encode()
    hj += b" " * ((8 - len(hj) % 8) % 8)
    with open(os.path.join(out, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(hj)) + hj + b"".join(blobs))
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(c, f, indent=2)
    with open(os.path.join(out, "generation_config.json"), "w") as f:
        json.dump({"bos_token_id": 1, "eos_token_id": [2, 7]}, f, indent=2)

    sd = np_ref.load_safetensors(os.path.join(out, "model.safetensors"))
    runs = []
    for n in (1, 7, 33, 70, 129):
        ids = [int(x) for x in rng.integers(0, v, n)]
        lg = np_ref.forward(sd, c, ids)
        seq = list(ids)
        for _ in range(24):
            seq.append(int(np_ref.forward(sd, c, seq)[-1].argmax()))
        runs.append({"ids": ids, "last_logits": [float(x) for x in lg[-1]],
                     "all_argmax": [int(x) for x in lg.argmax(-1)], "greedy_24": seq[n:]})
        print(f"T={n} logit range {lg[-1].min():.2f}..{lg[-1].max():.2f}", file=sys.stderr)
    ref = {"fixture": os.path.basename(out), "produced_by": "tests/tools/np_ref.py (numpy spec of transformers BitLinear) float32",
           "runs": runs}
    with open(os.path.join(out, "reference.json"), "w") as f:
        json.dump(ref, f)


if __name__ == "__main__":
    for name, (cfg, seed) in FIXTURES.items():
        main(cfg, os.path.join(os.path.dirname(__file__), "..", "fixtures", name), seed)
