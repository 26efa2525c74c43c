"""Writes the encoder-decoder fixtures of packages/models/test/fixtures with the real transformers.

  t5-relu-tied: original-T5 layout (feed_forward_proj "relu", lm_head tied to the shared embedding,
    decoder output rescaled by d_model**-0.5).
  t5-gated-untied: T5 v1.1 / FLAN layout ("gated-gelu", its own lm_head, no rescale).

Each is a random-init T5ForConditionalGeneration with odd shapes (d_model 36, 3 heads of d_kv 12,
d_ff 40, 2 encoder and 3 decoder layers, 8 relative-position buckets up to distance 20) saved with
save_pretrained (safetensors), plus expected.json: a right-padded encoder batch, a right-padded
decoder batch, the eval-mode logits, and greedy generate() ids for ragged prompts.
Every parameter, layer norms included, is perturbed away from its init so a skipped weight shows.
Run from the repository root: /work/hfvenv/bin/python tooling/hf-fixtures/seq2seq.py
Tests never run this; they read the committed outputs.
"""

import json
import shutil
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from transformers import T5Config, T5ForConditionalGeneration

FIXTURES = Path(__file__).resolve().parents[2] / "packages" / "models" / "test" / "fixtures"

VOCAB = 101
COMMON = dict(
    vocab_size=VOCAB,
    d_model=36,
    d_kv=12,
    d_ff=40,
    num_layers=2,
    num_decoder_layers=3,
    num_heads=3,
    relative_attention_num_buckets=8,
    relative_attention_max_distance=20,
    dropout_rate=0.1,
    layer_norm_epsilon=1e-6,
    pad_token_id=0,
    eos_token_id=1,
    decoder_start_token_id=0,
)

VARIANTS = {
    "t5-relu-tied": dict(feed_forward_proj="relu", tie_word_embeddings=True),
    "t5-gated-untied": dict(feed_forward_proj="gated-gelu", tie_word_embeddings=False),
}

# Encoder rows right-padded with 0 (longer than max_distance so the log buckets are exercised).
INPUT_ROWS = [
    [5, 17, 33, 8, 91, 42, 7, 64, 23, 11, 3, 77, 50, 19, 28, 36, 45, 60, 72, 88, 99, 14, 2, 9],
    [13, 27, 4, 58, 1],
    [66, 31, 80, 12, 47, 95, 6, 39, 21],
]
# Decoder rows start with decoder_start_token_id (0) and are right-padded with 0.
DECODER_ROWS = [
    [0, 40, 12, 7, 90, 33, 5, 18, 61, 2, 44, 70, 26, 15, 83, 9, 37, 52, 68, 24, 31, 47],
    [0, 8, 19],
    [0, 55, 3, 71, 29, 10],
]
PROMPTS = [[5, 17, 33, 8, 91], [13, 27], [66, 31, 80, 12, 47, 95, 6, 39, 21, 4, 58]]
MAX_NEW_TOKENS = 8


def pad(rows):
    width = max(len(r) for r in rows)
    ids = [r + [0] * (width - len(r)) for r in rows]
    mask = [[1] * len(r) + [0] * (width - len(r)) for r in rows]
    return ids, mask


def untie(out):
    """Rewrites a saved model in the layout of published T5 v1.1 / FLAN checkpoints: its own
    lm_head.weight and `tie_word_embeddings: false`. transformers 5 always ties T5's head and writes
    `scale_decoder_outputs` instead, but loads such folders untied (both weights present and different)."""
    weights = load_file(out / "model.safetensors")
    generator = torch.Generator().manual_seed(1)
    weights["lm_head.weight"] = torch.randn(VOCAB, COMMON["d_model"], generator=generator)
    save_file(weights, out / "model.safetensors", metadata={"format": "pt"})
    config = json.loads((out / "config.json").read_text())
    config["tie_word_embeddings"] = False
    del config["scale_decoder_outputs"]
    (out / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")


def build(name, overrides):
    torch.manual_seed(sum(map(ord, name)))
    config = T5Config(**COMMON, **overrides)
    model = T5ForConditionalGeneration(config).eval()
    with torch.no_grad():
        for parameter in model.parameters():
            # T5's init makes attention nearly uniform; noise on every weight (norms included) makes a skipped weight show.
            parameter.add_(torch.randn_like(parameter) * 0.1)
    out = FIXTURES / name
    if out.exists():
        shutil.rmtree(out)
    model.save_pretrained(out, safe_serialization=True)
    if not overrides["tie_word_embeddings"]:
        untie(out)
    # Reload so the expected numbers are those of the saved files, as a user would see them.
    model = T5ForConditionalGeneration.from_pretrained(out).eval()
    tied = model.lm_head.weight.data_ptr() == model.shared.weight.data_ptr()
    assert tied == overrides["tie_word_embeddings"], name
    input_ids, attention_mask = pad(INPUT_ROWS)
    decoder_input_ids, decoder_attention_mask = pad(DECODER_ROWS)
    with torch.no_grad():
        logits = model(
            input_ids=torch.tensor(input_ids),
            attention_mask=torch.tensor(attention_mask),
            decoder_input_ids=torch.tensor(decoder_input_ids),
            decoder_attention_mask=torch.tensor(decoder_attention_mask),
        ).logits
        logits_causal_only = model(
            input_ids=torch.tensor(input_ids),
            attention_mask=torch.tensor(attention_mask),
            decoder_input_ids=torch.tensor(decoder_input_ids),
        ).logits
        greedy = []
        for prompt in PROMPTS:
            # One prompt at a time: no encoder padding, so the ids are the model's, not a batching artefact.
            ids = model.generate(
                torch.tensor([prompt]),
                max_new_tokens=MAX_NEW_TOKENS,
                do_sample=False,
                num_beams=1,
                # transformers sizes its cache by num_layers (the encoder's), which fails with more
                # decoder layers; without the cache the ids are the same, only slower.
                use_cache=False,
            )[0].tolist()
            assert ids[0] == COMMON["decoder_start_token_id"]
            ids = ids[1:]
            if 1 in ids:
                ids = ids[: ids.index(1) + 1]
            greedy.append(ids)
    expected = {
        "input_ids": input_ids,
        "attention_mask": attention_mask,
        "decoder_input_ids": decoder_input_ids,
        "decoder_attention_mask": decoder_attention_mask,
        "logits": logits.tolist(),
        "logits_without_decoder_attention_mask": logits_causal_only.tolist(),
        "prompts": PROMPTS,
        "max_new_tokens": MAX_NEW_TOKENS,
        "greedy_ids": greedy,
    }
    (out / "expected.json").write_text(json.dumps(expected))
    print(name, "greedy", greedy, "keys", len(model.state_dict()))


if __name__ == "__main__":
    for name, overrides in VARIANTS.items():
        build(name, overrides)
