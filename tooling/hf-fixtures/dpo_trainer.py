"""Writes the DPOTrainer parity fixture of @trl/dpo with the real TRL 1.13 DPOTrainer.

Run from the repository root:

    /work/hfvenv/bin/python tooling/hf-fixtures/dpo_trainer.py

Saves two random tiny GPT-2 models (policy and a *different* reference, so rewards are non-zero) as
float32 safetensors, then builds TRL's DPOTrainer on a tiny text preference set with a word-level
tokenizer, collates one batch with TRL's own collator and evaluates `trainer.compute_loss` on it.
`expected.json` holds TRL's tokenized rows (prompt/chosen/rejected ids) and its loss and metrics; the
TypeScript test feeds the same ids to DPOTrainer and compares. Tests never run Python.
"""

import json
import tempfile
from pathlib import Path

import torch
from datasets import Dataset
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast
from trl import DPOConfig, DPOTrainer

OUT = Path(__file__).resolve().parents[2] / "packages" / "dpo" / "test" / "fixtures" / "tiny-dpo"
WORDS = ["<pad>", "<eos>", "Q:", "A:", "sky", "grass", "snow", "blue", "green", "white", "black", "is", "the", "?"]
ROWS = [
    {"prompt": "Q: the sky is ? A:", "chosen": " blue", "rejected": " green the"},
    {"prompt": "Q: grass ? A:", "chosen": " green is green", "rejected": " blue"},
    {"prompt": "Q: snow A:", "chosen": " white", "rejected": " black black"},
]


def tiny(seed):
    torch.manual_seed(seed)
    config = GPT2Config(
        vocab_size=len(WORDS), n_positions=32, n_embd=16, n_layer=2, n_head=2,
        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, eos_token_id=1, bos_token_id=1, pad_token_id=0,
    )
    model = GPT2LMHeadModel(config)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.3)
    return model


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    policy, ref = tiny(0), tiny(1)
    policy.save_pretrained(OUT / "policy", safe_serialization=True)
    ref.save_pretrained(OUT / "ref", safe_serialization=True)
    for name in ("policy", "ref"):
        (OUT / name / "generation_config.json").unlink(missing_ok=True)  # not read by the test
    # Reload, so TRL sees exactly the bytes the TypeScript test loads.
    policy = GPT2LMHeadModel.from_pretrained(OUT / "policy")
    ref = GPT2LMHeadModel.from_pretrained(OUT / "ref")
    core = Tokenizer(models.WordLevel({w: i for i, w in enumerate(WORDS)}, unk_token="<pad>"))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, eos_token="<eos>", pad_token="<pad>")
    results = {}
    for loss_type in ["sigmoid", "hinge", "ipo"]:
        with tempfile.TemporaryDirectory() as tmp:
            args = DPOConfig(
                output_dir=tmp, beta=0.3, loss_type=[loss_type], report_to=[], max_length=9,
                per_device_train_batch_size=3, use_cpu=True,
                # DPOConfig defaults to bf16, under which accelerate autocasts the reference forward; fp32 parity.
                bf16=False,
            )
            trainer = DPOTrainer(
                model=policy, ref_model=ref, args=args, processing_class=tokenizer,
                train_dataset=Dataset.from_list(ROWS),
            )
            examples = [trainer.train_dataset[i] for i in range(len(ROWS))]
            batch = trainer.data_collator(examples)
            trainer.model.train()
            with torch.no_grad():
                loss = trainer.compute_loss(trainer.model, batch)
            metrics = {k: v[-1] for k, v in trainer._metrics["train"].items() if k.startswith(("rewards/", "logps/"))}
            results[loss_type] = {"loss": loss.item(), **metrics}
            rows = [
                {"prompt_input_ids": e["prompt_ids"], "chosen_input_ids": e["chosen_ids"], "rejected_input_ids": e["rejected_ids"]}
                for e in examples
            ]
    expected = {"beta": 0.3, "maxLength": 9, "eosTokenId": 1, "padTokenId": 0, "rows": rows, "results": results}
    (OUT / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
