"""Writes the Llama-family reference fixtures of @trl/test-kit with the real transformers library.

Run from the repository root with a Python that has torch (CPU), transformers 5 and safetensors:

    /work/hfvenv/bin/python tooling/hf-fixtures/llama_family.py

Each fixture is a random-init model with deliberately odd shapes, saved by `save_pretrained`
(float32 safetensors), plus `expected.json` holding fixed inputs and transformers' outputs for them.
The TypeScript tests only read the committed files; they never run Python.
"""

import json
import math
import shutil
from pathlib import Path

import torch
import transformers
from peft import LoraConfig, get_peft_model
from transformers import (
    AutoModelForCausalLM,
    AutoModelForSequenceClassification,
    LlamaConfig,
    MistralConfig,
    Qwen2Config,
    Qwen3Config,
)

OUT = Path(__file__).resolve().parents[2] / "packages" / "test-kit" / "fixtures"
SEQ = 12
PAD_LEFT = 5
NEW_TOKENS = 8
PROMPT_LENGTHS = (5, 3)
# Weights whose gradients the fixtures record (those the architecture has).
GRADIENT_KEYS = {
    "model.embed_tokens.weight",
    "model.layers.0.self_attn.q_proj.weight",
    "model.layers.0.self_attn.k_proj.bias",
    "model.layers.0.self_attn.k_norm.weight",
    "model.layers.1.mlp.gate_proj.weight",
    "model.norm.weight",
}


def fixture_configs():
    """The architectures covered, each with the features its family adds."""
    return {
        # Llama 3: grouped-query attention (8 query heads share 2 kv heads), llama3 rope scaling with a low
        # theta and
        # a short original context so all three frequency bands of head_dim 6 (kept, smoothed, divided)
        # occur, untied head.
        "tiny-llama3": LlamaConfig(
            vocab_size=203,
            hidden_size=48,
            intermediate_size=88,
            num_hidden_layers=2,
            num_attention_heads=8,
            num_key_value_heads=2,
            max_position_embeddings=128,
            rms_norm_eps=1e-5,
            rope_parameters={
                "rope_type": "llama3",
                "rope_theta": 500.0,
                "factor": 4.0,
                "low_freq_factor": 1.0,
                "high_freq_factor": 4.0,
                "original_max_position_embeddings": 64,
            },
            tie_word_embeddings=False,
            bos_token_id=1,
            eos_token_id=2,
        ),
        # Qwen2: q/k/v biases, GQA (6 query heads over 2 kv heads), tied embeddings. Its config.json is
        # rewritten in the transformers-4 layout (rope_theta + rope_scaling) after saving.
        "tiny-qwen2": Qwen2Config(
            vocab_size=171,
            hidden_size=36,
            intermediate_size=60,
            num_hidden_layers=2,
            num_attention_heads=6,
            num_key_value_heads=2,
            max_position_embeddings=96,
            rms_norm_eps=1e-6,
            rope_parameters={"rope_type": "linear", "rope_theta": 1000000.0, "factor": 2.0},
            tie_word_embeddings=True,
            bos_token_id=None,
            eos_token_id=170,
        ),
        # Qwen3: per-head q/k RMSNorm and head_dim 20 (hidden 40 / 4 heads would give 10), GQA 4 over 2.
        "tiny-qwen3": Qwen3Config(
            vocab_size=257,
            hidden_size=40,
            intermediate_size=72,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=2,
            head_dim=20,
            max_position_embeddings=80,
            rms_norm_eps=1e-6,
            rope_parameters={"rope_type": "default", "rope_theta": 1000000.0},
            tie_word_embeddings=True,
            bos_token_id=None,
            eos_token_id=256,
        ),
        # Mistral: multi-query attention (one kv head for 4 query heads), no sliding window (null).
        "tiny-mistral": MistralConfig(
            vocab_size=131,
            hidden_size=32,
            intermediate_size=56,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=1,
            max_position_embeddings=64,
            rms_norm_eps=1e-5,
            sliding_window=None,
            rope_parameters={"rope_type": "default", "rope_theta": 10000.0},
            tie_word_embeddings=False,
            bos_token_id=1,
            eos_token_id=2,
        ),
    }


def randomize(model, generator):
    """Spreads every weight well beyond the init so logits have clear winners and norms are not all ones."""
    with torch.no_grad():
        for name, param in model.named_parameters():
            noise = torch.randn(param.shape, generator=generator)
            if name.endswith("norm.weight"):
                param.copy_(1.0 + 0.3 * noise)
            elif name.endswith(".bias"):
                param.copy_(0.3 * noise)
            else:
                param.copy_(noise / math.sqrt(param.shape[-1]))


def to_list(t):
    return t.detach().to(torch.float64).tolist()


def default_positions(mask):
    """generate's position ids: cumsum(mask) - 1, clipped at 0."""
    return (mask.cumsum(-1) - 1).clamp(min=0)


def greedy_margin(scores):
    """Smallest gap between the best and second-best logit over the greedy steps (robustness of the ids)."""
    gaps = []
    for step in scores:
        top = torch.topk(step, 2, dim=-1).values
        gaps.append((top[:, 0] - top[:, 1]).min().item())
    return min(gaps)


def write_fixture(name, config, seed):
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32).eval()
    generator = torch.Generator().manual_seed(seed)
    randomize(model, generator)
    vocab = config.vocab_size

    input_ids = torch.randint(0, vocab, (2, SEQ), generator=generator)
    padded_ids = input_ids.clone()
    short = input_ids[1, : SEQ - PAD_LEFT]
    padded_ids[1] = torch.cat([torch.full((PAD_LEFT,), 3), short])
    padded_mask = torch.ones_like(padded_ids)
    padded_mask[1, :PAD_LEFT] = 0
    prompts = [torch.randint(0, vocab, (n,), generator=generator).tolist() for n in PROMPT_LENGTHS]

    with torch.no_grad():
        logits = model(input_ids=input_ids).logits
        padded_logits = model(
            input_ids=padded_ids, attention_mask=padded_mask, position_ids=default_positions(padded_mask)
        ).logits
        greedy, margins = [], []
        for prompt in prompts:
            ids = torch.tensor([prompt])
            out = model.generate(
                ids,
                attention_mask=torch.ones_like(ids),
                do_sample=False,
                max_new_tokens=NEW_TOKENS,
                pad_token_id=0,
                output_scores=True,
                return_dict_in_generate=True,
            )
            greedy.append(out.sequences[0, len(prompt) :].tolist())
            margins.append(greedy_margin(out.scores))

    # The mean next-token cross-entropy of input_ids and its gradient for a few weights, so the
    # backward pass (RoPE, grouped-query attention, RMSNorm, SwiGLU) is checked too.
    model.zero_grad()
    loss = model(input_ids=input_ids, labels=input_ids).loss
    loss.backward()
    grads = {key: to_list(param.grad) for key, param in model.named_parameters() if key in GRADIENT_KEYS}
    model.zero_grad()

    folder = OUT / name
    shutil.rmtree(folder, ignore_errors=True)
    model.save_pretrained(folder, safe_serialization=True)
    (folder / "generation_config.json").unlink(missing_ok=True)

    expected = {
        "transformers_version": transformers.__version__,
        "torch_version": torch.__version__,
        "input_ids": input_ids.tolist(),
        "logits": to_list(logits),
        "padded_input_ids": padded_ids.tolist(),
        "padded_attention_mask": padded_mask.tolist(),
        "padded_logits": to_list(padded_logits),
        "greedy_prompts": prompts,
        "greedy_new_ids": greedy,
        "greedy_min_logit_margin": min(margins),
        "loss": loss.item(),
        "grads": grads,
    }
    (folder / "expected.json").write_text(json.dumps(expected, separators=(",", ":")) + "\n")
    return model, folder, input_ids, logits


def rewrite_as_transformers4(folder):
    """Moves rope_parameters to the transformers-4 spelling (rope_theta + rope_scaling), as older hub configs have."""
    path = folder / "config.json"
    config = json.loads(path.read_text())
    rope = dict(config.pop("rope_parameters"))
    config["rope_theta"] = rope.pop("rope_theta")
    rope_type = rope.pop("rope_type")
    config["rope_scaling"] = None if rope_type == "default" else {"type": rope_type, **rope}
    path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")


def write_lora_fixture(base, folder, input_ids, seed):
    """PEFT LoRA on q_proj and v_proj of `base`, with lora_B drawn at random so the adapter matters."""
    generator = torch.Generator().manual_seed(seed)
    config = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM")
    model = get_peft_model(base, config).eval()
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_B" in name:
                param.copy_(0.5 * torch.randn(param.shape, generator=generator))
        logits = model(input_ids=input_ids).logits
    shutil.rmtree(folder, ignore_errors=True)
    model.save_pretrained(folder)
    adapter_config = json.loads((folder / "adapter_config.json").read_text())
    adapter_config["base_model_name_or_path"] = "../tiny-llama3"
    # PEFT keeps target_modules as a set; sort it so the file does not change from run to run.
    adapter_config["target_modules"] = sorted(adapter_config["target_modules"])
    (folder / "adapter_config.json").write_text(json.dumps(adapter_config, indent=2, sort_keys=True) + "\n")
    (folder / "README.md").unlink(missing_ok=True)
    expected = {"input_ids": input_ids.tolist(), "logits": to_list(logits)}
    (folder / "expected.json").write_text(json.dumps(expected, separators=(",", ":")) + "\n")
    # PEFT saves the base model's weights untouched; undo the adapter so the caller's model is plain again.
    model.unload()


def write_reward_fixture(base_folder, folder, seed):
    """A one-label classifier (reward model) on the base weights, saved as transformers saves it: no lm_head, `score.weight`."""
    torch.manual_seed(seed)
    model = AutoModelForSequenceClassification.from_pretrained(
        base_folder, num_labels=1, pad_token_id=3, dtype=torch.float32
    ).eval()
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        model.score.weight.copy_(torch.randn(model.score.weight.shape, generator=generator) / 6)
    expected = json.loads((base_folder / "expected.json").read_text())
    ids = torch.tensor(expected["padded_input_ids"])
    mask = torch.tensor(expected["padded_attention_mask"])
    assert (ids[:, -1] != 3).all(), "the last token of each row must not be the pad id"
    with torch.no_grad():
        scores = model(input_ids=ids, attention_mask=mask, position_ids=default_positions(mask)).logits
    shutil.rmtree(folder, ignore_errors=True)
    model.save_pretrained(folder, safe_serialization=True)
    (folder / "expected.json").write_text(
        json.dumps({"input_ids": ids.tolist(), "attention_mask": mask.tolist(), "scores": to_list(scores)}) + "\n"
    )


def write_sharded_bf16_fixture(model, folder, input_ids):
    """`model` saved in bfloat16 over several shards (`model.safetensors.index.json`), with the logits
    transformers computes after loading it back as float32 (so bf16 rounding is in the reference)."""
    shutil.rmtree(folder, ignore_errors=True)
    model.to(torch.bfloat16).save_pretrained(folder, safe_serialization=True, max_shard_size="60KB")
    model.to(torch.float32)
    (folder / "generation_config.json").unlink(missing_ok=True)
    shards = sorted(p.name for p in folder.glob("model-*.safetensors"))
    assert len(shards) > 1 and (folder / "model.safetensors.index.json").exists(), shards
    reloaded = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
    with torch.no_grad():
        logits = reloaded(input_ids=input_ids).logits
    expected = {"input_ids": input_ids.tolist(), "logits": to_list(logits), "shards": shards}
    (folder / "expected.json").write_text(json.dumps(expected, separators=(",", ":")) + "\n")


def main():
    for seed, (name, config) in enumerate(fixture_configs().items(), start=1):
        model, folder, input_ids, logits = write_fixture(name, config, seed)
        if name == "tiny-qwen2":
            rewrite_as_transformers4(folder)
        # The saved folder must reload in transformers to the very same logits.
        reloaded = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
        with torch.no_grad():
            delta = (reloaded(input_ids=input_ids).logits - logits).abs().max().item()
        assert delta == 0.0, f"{name}: reloaded logits differ by {delta}"
        expected = json.loads((folder / "expected.json").read_text())
        size = sum(f.stat().st_size for f in folder.iterdir())
        print(f"{name}: {size} bytes, greedy margin {expected['greedy_min_logit_margin']:.4f}")
        if name == "tiny-llama3":
            write_lora_fixture(model, OUT / "tiny-llama3-lora", input_ids, seed + 100)
        if name == "tiny-qwen2":
            write_reward_fixture(folder, OUT / "tiny-qwen2-reward", seed + 100)
        if name == "tiny-qwen3":
            write_sharded_bf16_fixture(model, OUT / "tiny-qwen3-bf16-sharded", input_ids)


if __name__ == "__main__":
    main()
