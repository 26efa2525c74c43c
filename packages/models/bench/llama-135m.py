#!/usr/bin/env python3
"""PyTorch side of the SmolLM2-135M-shape training bench (see llama-135m.mjs, the trl-ts side).

Makes a randomly initialised LlamaForCausalLM of SmolLM2-135M's shape with transformers (seed 0) and
saves it to --dir once (float32 safetensors, what llama-135m.mjs loads), then times full fine-tuning
steps on random ids (AdamW lr 1e-4, betas 0.9/0.95, weight decay 0.01, as the GPT-2 comparator) and
prints one JSON line with the comparator's fields plus peak_rss_mb.

    python llama-135m.py --dir /tmp/smollm2-135m-shape --batch 8 --seq 128 --steps 3 --warmup 1 --threads 2
"""
import argparse
import json
import os
import resource
import statistics
import time

import torch
from transformers import LlamaConfig, LlamaForCausalLM

SHAPE = dict(
    hidden_size=576,
    intermediate_size=1536,
    num_hidden_layers=30,
    num_attention_heads=9,
    num_key_value_heads=3,
    vocab_size=49152,
    max_position_embeddings=8192,
    rope_theta=100000.0,
    rms_norm_eps=1e-5,
    tie_word_embeddings=True,
    bos_token_id=0,
    eos_token_id=0,
)

parser = argparse.ArgumentParser()
parser.add_argument("--dir", required=True)
parser.add_argument("--batch", type=int, default=8)
parser.add_argument("--seq", type=int, default=128)
parser.add_argument("--steps", type=int, default=3)
parser.add_argument("--warmup", type=int, default=1)
parser.add_argument("--threads", type=int, default=2)
args = parser.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)

if os.path.exists(os.path.join(args.dir, "config.json")):
    model = LlamaForCausalLM.from_pretrained(args.dir, dtype=torch.float32)
else:
    model = LlamaForCausalLM(LlamaConfig(**SHAPE, attn_implementation="eager"))
    model.save_pretrained(args.dir, safe_serialization=True)
model.train()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.95), weight_decay=0.01)
generator = torch.Generator().manual_seed(0)
ids = torch.randint(0, SHAPE["vocab_size"], (args.batch, args.seq + 1), generator=generator)
inputs, labels = ids[:, :-1], ids[:, 1:]


def step():
    logits = model(input_ids=inputs).logits
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1))
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss.item()


losses = []
for _ in range(args.warmup):
    losses.append(step())
times = []
for _ in range(args.steps):
    start = time.perf_counter()
    losses.append(step())
    times.append(time.perf_counter() - start)
median = statistics.median(times)
tokens = args.batch * args.seq
print(json.dumps({
    "impl": "torch",
    "mode": "train",
    "config": "smollm2-135m",
    "tokens_per_s": round(tokens / median, 2),
    "step_ms_median": round(median * 1e3, 1),
    "steps_measured": len(times),
    "warmup": args.warmup,
    "batch": args.batch,
    "seq": args.seq,
    "params": sum(p.numel() for p in model.parameters()),
    "threads": args.threads,
    "torch": torch.__version__,
    "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    "loadavg_1m": round(os.getloadavg()[0], 2),
    "loss_first": losses[0],
    "loss_last": losses[-1],
}))
