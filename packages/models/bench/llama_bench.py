#!/usr/bin/python3
"""Llama side of the PyTorch comparator: a plain-PyTorch Llama of SmolLM2-135M's shape (config `llama`),
timed exactly as /work/shared/bench/torch/gpt2_bench.py times GPT-2, one JSON line per measurement.

Plain PyTorch on purpose: it runs on Debian's torch 1.13 (no transformers) as well as on torch 2.x.
It borrows the shared comparator's thread/BLAS setup (common.py, found through $TORCH_BENCH_DIR,
default /work/shared/bench/torch), so --threads and --blas mean what they mean there.

    /usr/bin/python3 llama_bench.py --threads 1 --config llama --mode train sample --steps 3 --warmup 1
    /work/hfvenv/bin/python llama_bench.py --blas system --threads 2 --dir /tmp/smollm2-135m-shape ...

--dir: a checkpoint folder of this shape. When it holds no model.safetensors yet and transformers is
importable, a seed-0 LlamaForCausalLM is built and saved there first (float32); the weights are then read
with a small safetensors reader (no safetensors package needed), so every torch build and trl-ts
(bench/llama.mjs --dir) run the same weights. Without --dir the model is initialised here as
transformers does (N(0, 0.02), norms one); speed does not depend on the values.

Modes (the comparator's definitions): train = forward + cross-entropy + backward + AdamW (lr 1e-4,
betas 0.9/0.95, weight decay 0.01) at the config's batch x seq; sample = batch 8, 16-token prompt,
64 new tokens, KV cache, multinomial at temperature 1, prefill included.
FLOPs per token: train 6*N + 12*L*d*T (N = every parameter, the tied embedding once; d = hidden).
"""
import os
import sys

sys.path.insert(0, os.environ.get("TORCH_BENCH_DIR", "/work/shared/bench/torch"))
from common import setup_threads, loaded_blas, blas_kind  # noqa: E402

THREADS, BLAS_THREADS, BLAS_CHOICE = setup_threads(sys.argv)

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(THREADS)

# SmolLM2-135M's shape; training at batch 2 x seq 128, the most trl-ts's wasm heap holds (bench/comparator.mjs).
CONFIGS = {
    "llama": dict(n_layer=30, n_embd=576, n_head=9, n_kv_head=3, inter=1536, vocab=49152,
                  seq=128, batch=2, rope_theta=100000.0, eps=1e-5, n_pos=8192),
}

# The same shape as transformers' config.json (what --dir holds and bench/llama.mjs reads).
HF_CONFIG = dict(hidden_size=576, intermediate_size=1536, num_hidden_layers=30, num_attention_heads=9,
                 num_key_value_heads=3, vocab_size=49152, max_position_embeddings=8192,
                 rope_theta=100000.0, rms_norm_eps=1e-5, tie_word_embeddings=True,
                 bos_token_id=0, eos_token_id=0)


def log(*a):
    print(*a, file=sys.stderr, flush=True)


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate_half(x):
    a, b = x.chunk(2, dim=-1)
    return torch.cat([-b, a], dim=-1)


class Attention(nn.Module):
    def __init__(self, d, h, kvh):
        super().__init__()
        self.h, self.kvh, self.hd = h, kvh, d // h
        self.q_proj = nn.Linear(d, h * self.hd, bias=False)
        self.k_proj = nn.Linear(d, kvh * self.hd, bias=False)
        self.v_proj = nn.Linear(d, kvh * self.hd, bias=False)
        self.o_proj = nn.Linear(h * self.hd, d, bias=False)

    def forward(self, x, cos, sin, cache=None):
        B, T, _ = x.shape
        q = self.q_proj(x).view(B, T, self.h, self.hd).transpose(1, 2)
        k = self.k_proj(x).view(B, T, self.kvh, self.hd).transpose(1, 2)
        v = self.v_proj(x).view(B, T, self.kvh, self.hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if cache is not None:  # the cache holds the kv heads after RoPE, as transformers' does
            k = torch.cat([cache[0], k], dim=2)
            v = torch.cat([cache[1], v], dim=2)
        new_cache = (k, v)
        groups = self.h // self.kvh
        k = k.repeat_interleave(groups, dim=1)
        v = v.repeat_interleave(groups, dim=1)
        S = k.shape[2]
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(self.hd))
        if T > 1:
            mask = torch.ones(T, S, dtype=torch.bool).tril(S - T)
            att = att.masked_fill(~mask, float("-inf"))
        y = (F.softmax(att, dim=-1) @ v).transpose(1, 2).reshape(B, T, self.h * self.hd)
        return self.o_proj(y), new_cache


class MLP(nn.Module):
    def __init__(self, d, inter):
        super().__init__()
        self.gate_proj = nn.Linear(d, inter, bias=False)
        self.up_proj = nn.Linear(d, inter, bias=False)
        self.down_proj = nn.Linear(inter, d, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Layer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg["n_embd"]
        self.input_layernorm = RMSNorm(d, cfg["eps"])
        self.self_attn = Attention(d, cfg["n_head"], cfg["n_kv_head"])
        self.post_attention_layernorm = RMSNorm(d, cfg["eps"])
        self.mlp = MLP(d, cfg["inter"])

    def forward(self, x, cos, sin, cache=None):
        a, new_cache = self.self_attn(self.input_layernorm(x), cos, sin, cache)
        x = x + a
        return x + self.mlp(self.post_attention_layernorm(x)), new_cache


class Body(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embed_tokens = nn.Embedding(cfg["vocab"], cfg["n_embd"])
        self.layers = nn.ModuleList([Layer(cfg) for _ in range(cfg["n_layer"])])
        self.norm = RMSNorm(cfg["n_embd"], cfg["eps"])


class Llama(nn.Module):
    """LlamaForCausalLM's computation (parameter names match its checkpoint keys), tied LM head."""

    def __init__(self, cfg):
        super().__init__()
        self.model = Body(cfg)
        hd = cfg["n_embd"] // cfg["n_head"]
        inv = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd))
        self.register_buffer("inv_freq", inv, persistent=False)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, 0.0, 0.02)

    def forward(self, idx, caches=None, pos0=0):
        B, T = idx.shape
        pos = torch.arange(pos0, pos0 + T, dtype=torch.float32)
        freqs = torch.outer(pos, self.inv_freq)
        emb = torch.cat([freqs, freqs], dim=-1)
        cos, sin = emb.cos()[None, None], emb.sin()[None, None]
        x = self.model.embed_tokens(idx)
        new_caches = []
        for i, layer in enumerate(self.model.layers):
            x, c = layer(x, cos, sin, None if caches is None else caches[i])
            new_caches.append(c)
        logits = self.model.norm(x) @ self.model.embed_tokens.weight.t()
        return logits, new_caches


def read_safetensors(path):
    """A float32 safetensors file as a dict of tensors (8-byte header length, JSON header, raw data)."""
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        data = bytearray(f.read())
    out = {}
    for key, meta in header.items():
        if key == "__metadata__":
            continue
        if meta["dtype"] != "F32":
            raise SystemExit(f"{path}: {key} is {meta['dtype']}; save the checkpoint in float32")
        start, end = meta["data_offsets"]
        out[key] = torch.frombuffer(data, dtype=torch.float32, offset=start,
                                    count=(end - start) // 4).view(meta["shape"])
    return out


def load_or_save(model, directory, seed):
    path = os.path.join(directory, "model.safetensors")
    if not os.path.exists(path):
        try:
            from transformers import LlamaConfig, LlamaForCausalLM
        except ImportError:
            raise SystemExit(f"--dir {directory}: no model.safetensors there and no transformers here to "
                             "save one; run this script once with a Python that has transformers")
        torch.manual_seed(seed)
        LlamaForCausalLM(LlamaConfig(**HF_CONFIG)).save_pretrained(directory, safe_serialization=True)
        log(f"saved a seed-{seed} random-init checkpoint to {directory}")
    state = {k: v for k, v in read_safetensors(path).items() if k != "lm_head.weight"}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise SystemExit(f"{path}: missing {missing}, unexpected {unexpected}")


def timed_steps(fn, warmup, steps, max_seconds):
    for _ in range(warmup):
        fn()
    times = []
    t_start = time.perf_counter()
    for _ in range(steps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        if time.perf_counter() - t_start > max_seconds:
            break
    return times


def build(cfg, args):
    model = Llama(cfg)
    if args.dir:
        load_or_save(model, args.dir, args.seed)
    return model


def bench_train(cfg, args):
    model = build(cfg, args)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01, betas=(0.9, 0.95))
    B, T, V = cfg["batch"], cfg["seq"], cfg["vocab"]
    g = torch.Generator().manual_seed(args.seed)
    data = torch.randint(0, V, (B, T + 1), generator=g)
    x, y = data[:, :-1], data[:, 1:]
    losses = []

    def step():
        logits, _ = model(x)
        loss = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(loss.item())

    times = timed_steps(step, args.warmup, args.steps, args.max_seconds)
    n = sum(p.numel() for p in model.parameters())
    flops_per_tok = 6 * n + 12 * cfg["n_layer"] * cfg["n_embd"] * T
    return dict(times=times, tokens=B * T, flops=flops_per_tok * B * T, params=n,
                extra=dict(loss_first=losses[0], loss_last=losses[-1]))


def bench_sample(cfg, args):
    model = build(cfg, args)
    model.eval()
    B, P, N, V = args.sample_batch, args.prompt_len, args.new_tokens, cfg["vocab"]
    g = torch.Generator().manual_seed(args.seed)
    prompt = torch.randint(0, V, (B, P), generator=g)

    def generate():
        with torch.inference_mode():
            logits, caches = model(prompt)
            out = []
            pos = P
            for i in range(N):
                probs = F.softmax(logits[:, -1, :].float(), dim=-1)
                nxt = torch.multinomial(probs, 1, generator=g)
                out.append(nxt)
                if i == N - 1:
                    break
                logits, caches = model(nxt, caches=caches, pos0=pos)
                pos += 1
            return torch.cat(out, dim=1)

    times = timed_steps(generate, args.warmup, args.steps, args.max_seconds)
    n = sum(p.numel() for p in model.parameters())
    L, d = cfg["n_layer"], cfg["n_embd"]
    flops = B * (P * 2 * n + 4 * L * d * P * P)
    for c in range(P + 1, P + N):
        flops += B * (2 * n + 4 * L * d * c)
    return dict(times=times, tokens=B * N, flops=flops, params=n,
                extra=dict(sample_batch=B, prompt_len=P, new_tokens=N, top_k=0, top_p=1.0))


MODES = {"train": bench_train, "sample": bench_sample}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", nargs="+", default=["llama"], choices=list(CONFIGS))
    ap.add_argument("--mode", nargs="+", default=["train", "sample"], choices=list(MODES))
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--max-seconds", type=float, default=150.0)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--blas-threads", type=int, default=None)
    ap.add_argument("--blas", default="openblas-openmp",
                    choices=["system", "reference", "openblas-pthread", "openblas-openmp"])
    ap.add_argument("--dir", default=None, help="checkpoint folder to load (saved first if empty)")
    ap.add_argument("--batch", type=int, default=None, help="replaces the config's training batch")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--sample-batch", type=int, default=8)
    ap.add_argument("--prompt-len", type=int, default=16)
    ap.add_argument("--new-tokens", type=int, default=64)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    _ = torch.randn(64, 64) @ torch.randn(64, 64)  # load BLAS so it can be detected
    libs = loaded_blas()
    env = dict(torch=torch.__version__, threads=torch.get_num_threads(), blas=blas_kind(libs))
    log("env:", json.dumps(env))
    for cname in args.config:
        cfg = dict(CONFIGS[cname])
        if args.batch:
            cfg["batch"] = args.batch
        for mode in args.mode:
            torch.manual_seed(args.seed)
            t0 = time.perf_counter()
            r = MODES[mode](cfg, args)
            wall = time.perf_counter() - t0
            times = r["times"]
            med = statistics.median(times)
            rec = {
                "impl": "torch", "mode": mode, "config": cname,
                "tokens_per_s": round(r["tokens"] / med, 2),
                "gflops": round(r["flops"] / med / 1e9, 3),
                "params": r["params"],
                "step_ms_median": round(med * 1e3, 3),
                "step_ms_min": round(min(times) * 1e3, 3),
                "step_ms_mean": round(statistics.mean(times) * 1e3, 3),
                "steps_measured": len(times), "warmup": args.warmup,
                "tokens_per_step": r["tokens"], "gflop_per_step": round(r["flops"] / 1e9, 4),
                "batch": cfg["batch"] if mode != "sample" else args.sample_batch,
                "seq": cfg["seq"], "n_layer": cfg["n_layer"], "n_embd": cfg["n_embd"],
                "n_head": cfg["n_head"], "n_kv_head": cfg["n_kv_head"], "vocab": cfg["vocab"],
                "threads": env["threads"], "blas_threads": BLAS_THREADS, "blas": env["blas"],
                "torch": env["torch"], "checkpoint": args.dir,
                "wall_s": round(wall, 2), "loadavg_1m": round(os.getloadavg()[0], 2),
            }
            rec.update(r["extra"])
            print(json.dumps(rec), flush=True)


if __name__ == "__main__":
    main()
