"""Writes the GRPO and DPO math fixtures of @trl/core by running TRL 1.13's own code.

Run from the repository root with the reference Python (torch CPU, trl 1.13):

    /work/hfvenv/bin/python tooling/hf-fixtures/grpo_dpo.py

Nothing here re-implements TRL's formulas:

- GRPO advantages: the reward-aggregation block of `GRPOTrainer._generate_and_score_completions` (from the
  unscorable-row mask to `nan_to_num`) and its reward logging lines are cut out of the installed source and
  executed on fixed rewards. The script stops if those markers move, so a TRL upgrade cannot silently
  change what the fixture means.
- GRPO loss: `GRPOTrainer._compute_loss` is called unbound on a minimal stand-in for the trainer whose
  `_get_per_token_logps_and_entropies` returns fixed log-probs (a leaf tensor, so torch autograd gives the
  gradient) and whose accelerator is the single-process identity.
- DPO loss: `DPOTrainer._compute_loss` is called unbound on a stand-in whose model returns fixed logits, with
  precomputed reference log-probs; the gradient is taken w.r.t. those logits.

Inputs are drawn in float32 (so the TypeScript side sees exactly the same numbers) and evaluated in float64.
Output: packages/core/test/fixtures/grpo-dpo/{grpo-advantages,grpo-loss,dpo-loss}.json.
"""

import inspect
import json
import math
import textwrap
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace

import torch
import trl
from trl.trainer import grpo_trainer
from trl.trainer.dpo_trainer import DPOTrainer
from trl.trainer.grpo_trainer import GRPOTrainer

OUT = Path(__file__).resolve().parents[2] / "packages" / "core" / "test" / "fixtures" / "grpo-dpo"
NUM_PROMPTS = 3
NUM_GENERATIONS = 4
ROWS = NUM_PROMPTS * NUM_GENERATIONS
STEPS = 6
MAX_COMPLETION_LENGTH = 8


def f32(tensor):
    """Rounds to float32 and back to float64, so the TypeScript inputs are exact."""
    return tensor.float().double()


def tolist(tensor):
    """JSON-friendly values; NaN becomes null (JSON has no NaN)."""
    values = tensor.detach().double().tolist()

    def clean(v):
        if isinstance(v, list):
            return [clean(x) for x in v]
        return None if math.isnan(v) else v

    return clean(values)


class FakeAccelerator:
    """Single process: gathers and reductions are the identity."""

    num_processes = 1
    process_index = 0
    device = torch.device("cpu")

    def gather(self, x):
        return x

    def gather_for_metrics(self, x):
        return x

    def reduce(self, x, reduction="sum"):
        return x

    def unwrap_model(self, model):
        return model


def metrics_store():
    return {"train": defaultdict(list), "eval": defaultdict(list)}


# ---------------------------------------------------------------- GRPO advantages (TRL's source, executed)


def trl_block(source, start, end):
    """The dedented lines of `source` from the line containing `start` to the line containing `end`."""
    lines = source.splitlines()
    first = next(i for i, line in enumerate(lines) if start in line)
    last = next(i for i in range(first, len(lines)) if end in lines[i])
    return textwrap.dedent("\n".join(lines[first : last + 1]))


SCORE_SOURCE = inspect.getsource(GRPOTrainer._generate_and_score_completions)
ADVANTAGE_CODE = trl_block(
    SCORE_SOURCE, "unscorable_mask = torch.isnan(rewards_per_func)", "advantages = torch.nan_to_num(advantages"
)
REWARD_LOG_CODE = trl_block(
    SCORE_SOURCE,
    "rewards = (rewards_per_func * self.reward_weights.to(rewards_per_func.device)",
    '["frac_reward_zero_std"]',
)


def trl_advantages(rewards_per_func, weights, scale_rewards, aggregation, num_generations):
    fake = SimpleNamespace(
        reward_weights=torch.tensor(weights, dtype=torch.float64),
        scale_rewards=scale_rewards,
        multi_objective_aggregation=aggregation,
        reward_funcs=[None] * rewards_per_func.shape[1],
        _metrics=metrics_store(),
    )
    scope = {
        "torch": torch,
        "nanstd": grpo_trainer.nanstd,
        "self": fake,
        "rewards_per_func": rewards_per_func.clone(),
        "num_generations": num_generations,
        "device": torch.device("cpu"),
        "mode": "train",
    }
    exec(ADVANTAGE_CODE, scope)
    advantages = scope["advantages"]
    exec(REWARD_LOG_CODE, scope)
    logged = fake._metrics["train"]
    return {
        "advantages": tolist(advantages),
        "rewards": tolist(scope["rewards"]),
        "reward": logged["reward"][0],
        "reward_std": logged["reward_std"][0],
        "frac_reward_zero_std": logged["frac_reward_zero_std"][0],
    }


def advantage_inputs(generator):
    rewards = f32(torch.randn(ROWS, 2, generator=generator, dtype=torch.float64))
    rewards[4:8, 0] = 1.5  # second group: the first function is constant within the group
    rewards[4:8, 1] = -0.25  # ... and so is the second, so the group's std is exactly 0
    rewards[1, 1] = math.nan  # one function unscored for one completion
    rewards[10, :] = math.nan  # a completion no function could score
    return rewards


def build_advantages(generator):
    rewards = advantage_inputs(generator)
    weights = [1.0, 0.5]
    cases = []
    for aggregation in ("sum_then_normalize", "normalize_then_sum"):
        for scale in ("group", "batch", "none"):
            for num_generations in (NUM_GENERATIONS, 1):
                if aggregation == "normalize_then_sum" and num_generations == 1:
                    continue
                out = trl_advantages(rewards, weights, scale, aggregation, num_generations)
                cases.append(
                    {
                        "scaleRewards": scale,
                        "multiObjectiveAggregation": aggregation,
                        "numGenerations": num_generations,
                        "rewardWeights": weights,
                        **out,
                    }
                )
    # A single reward function with default weights, the common case.
    single = rewards[:, :1].clone()
    single[10, 0] = 0.75
    out = trl_advantages(single, [1.0], "group", "sum_then_normalize", NUM_GENERATIONS)
    cases.append(
        {
            "scaleRewards": "group",
            "multiObjectiveAggregation": "sum_then_normalize",
            "numGenerations": NUM_GENERATIONS,
            "rewardWeights": None,
            "rewardsPerFunc": tolist(single),
            **out,
        }
    )
    return {"trl_version": trl.__version__, "rewardsPerFunc": tolist(rewards), "cases": cases}


# ---------------------------------------------------------------- GRPO loss (GRPOTrainer._compute_loss)


def loss_inputs(generator):
    def normal(scale=1.0):
        return torch.randn(ROWS, STEPS, generator=generator, dtype=torch.float64) * scale

    logprobs = f32(-torch.rand(ROWS, STEPS, generator=generator, dtype=torch.float64) * 3 - 0.05)
    old = f32(logprobs + normal(0.25))
    ref = f32(logprobs + normal(0.3))
    entropies = f32(torch.rand(ROWS, STEPS, generator=generator, dtype=torch.float64) * 2)
    lengths = [6, 5, 3, 6, 1, 4, 6, 2, 0, 5, 6, 3]  # row 8 has no completion token at all
    mask = torch.zeros(ROWS, STEPS, dtype=torch.float64)
    for row, length in enumerate(lengths):
        mask[row, :length] = 1
    mask[0, 2] = 0  # a hole (e.g. a tool-output token masked out)
    return {"logprobs": logprobs, "oldLogprobs": old, "refLogprobs": ref, "entropies": entropies, "mask": mask}


def trl_loss(x, advantages, cfg):
    logprobs = x["logprobs"].clone().requires_grad_(True)
    grad_accum = cfg.get("gradientAccumulationSteps", 1)
    fake = SimpleNamespace(
        top_entropy_quantile=1.0,
        off_policy_mask_threshold=None,
        importance_sampling_level=cfg["importanceSamplingLevel"],
        beta=cfg["beta"],
        loss_type=cfg["lossType"],
        epsilon_low=cfg["epsilon"],
        epsilon_high=cfg["epsilonHigh"],
        max_completion_length=MAX_COMPLETION_LENGTH,
        use_vllm=False,
        model=SimpleNamespace(training=True),
        current_gradient_accumulation_steps=grad_accum,
        accelerator=FakeAccelerator(),
        aux_loss_enabled=False,
        _entropy_bonus_enabled=False,
        _metrics=metrics_store(),
        args=SimpleNamespace(
            delta=cfg.get("delta"),
            use_bias_correction_kl=cfg["useBiasCorrectionKl"],
            sapo_temperature_pos=1.0,
            sapo_temperature_neg=1.05,
            steps_per_generation=grad_accum,
        ),
        _get_per_token_logps_and_entropies=lambda *a, **k: (logprobs, x["entropies"], None),
        get_off_policy_mask=GRPOTrainer.get_off_policy_mask,
    )
    inputs = {
        "prompt_ids": torch.zeros(ROWS, 1, dtype=torch.long),
        "prompt_mask": torch.ones(ROWS, 1, dtype=torch.long),
        "completion_ids": torch.zeros(ROWS, STEPS, dtype=torch.long),
        "completion_mask": x["mask"],
        "advantages": advantages,
        "ref_per_token_logps": x["refLogprobs"],
        "num_items_in_batch": x["mask"].sum() * cfg.get("numItemsScale", 1.0),
    }
    if cfg["withOld"]:
        inputs["old_per_token_logps"] = x["oldLogprobs"]
    loss = GRPOTrainer._compute_loss(fake, None, inputs)
    (grad,) = torch.autograd.grad(loss, logprobs)
    metrics = {key: values[0] for key, values in fake._metrics["train"].items()}
    return {"loss": loss.item(), "gradLogprobs": tolist(grad), "metrics": metrics}


def build_loss(generator, advantage_fixture):
    x = loss_inputs(generator)
    by_scale = {
        c["scaleRewards"]: torch.tensor(c["advantages"], dtype=torch.float64)
        for c in advantage_fixture["cases"]
        if c["multiObjectiveAggregation"] == "sum_then_normalize" and c["numGenerations"] == NUM_GENERATIONS
        and c["rewardWeights"] is not None
    }
    base = {"epsilon": 0.2, "epsilonHigh": 0.28, "beta": 0.04, "useBiasCorrectionKl": True, "withOld": True}
    cases = []
    for loss_type in ("grpo", "dr_grpo", "dapo", "bnpo", "cispo", "sapo"):
        for scale, advantages in by_scale.items():
            for level in ("token", "sequence"):
                cfg = {**base, "lossType": loss_type, "importanceSamplingLevel": level, "scaleRewards": scale}
                if loss_type == "cispo":
                    cfg["epsilonHigh"] = 1.1  # cispo's epsilon_high is an absolute cap on the ratio
                cases.append({"config": cfg, **trl_loss(x, advantages, cfg)})
    group = by_scale["group"]
    variants = [
        {"lossType": "grpo", "beta": 0.0},
        {"lossType": "dapo", "useBiasCorrectionKl": False},
        {"lossType": "grpo", "delta": 1.15},
        {"lossType": "grpo", "delta": 1.15, "importanceSamplingLevel": "sequence"},
        {"lossType": "dapo", "withOld": False},
        {"lossType": "grpo", "withOld": False, "beta": 0.0},
        {"lossType": "bnpo", "gradientAccumulationSteps": 2},
        {"lossType": "dapo", "gradientAccumulationSteps": 2, "numItemsScale": 3.0},
        {"lossType": "dr_grpo", "gradientAccumulationSteps": 3, "epsilon": 0.1, "epsilonHigh": 0.1},
    ]
    for variant in variants:
        cfg = {**base, "importanceSamplingLevel": "token", "scaleRewards": "group", **variant}
        cases.append({"config": cfg, **trl_loss(x, group, cfg)})
    # Per-token advantages [rows, steps] (TRL accepts them for subclasses such as MiniLLM).
    per_token = f32(group.unsqueeze(1) + torch.randn(ROWS, STEPS, generator=generator, dtype=torch.float64) * 0.3)
    for level in ("token", "sequence"):
        cfg = {**base, "lossType": "grpo", "importanceSamplingLevel": level, "scaleRewards": "group"}
        cfg["perTokenAdvantages"] = True
        cases.append({"config": cfg, **trl_loss(x, per_token, cfg)})
    return {
        "trl_version": trl.__version__,
        "maxCompletionLength": MAX_COMPLETION_LENGTH,
        "inputs": {key: tolist(value) for key, value in x.items()},
        "advantages": {key: tolist(value) for key, value in by_scale.items()},
        "perTokenAdvantages": tolist(per_token),
        "cases": cases,
    }


# ---------------------------------------------------------------- DPO loss (DPOTrainer._compute_loss)


def build_dpo(generator):
    pairs, seq, vocab = 4, 7, 5
    logits = f32(torch.randn(2 * pairs, seq, vocab, generator=generator, dtype=torch.float64) * 1.5)
    input_ids = torch.randint(0, vocab, (2 * pairs, seq), generator=generator)
    completion_mask = torch.zeros(2 * pairs, seq, dtype=torch.long)
    starts = [2, 3, 2, 4, 3, 2, 5, 1]
    ends = [7, 6, 7, 7, 5, 7, 7, 4]
    for row, (start, end) in enumerate(zip(starts, ends, strict=True)):
        completion_mask[row, start:end] = 1
    # What the TypeScript side receives: the same per-token log-probs TRL computes, as labels + mask.
    labels = input_ids[:, 1:]
    shift_mask = completion_mask[:, 1:]
    # Reference log-probs near the policy's own, so some pairs are ranked right and some wrong.
    token_logps = torch.log_softmax(logits[:, :-1, :], dim=-1).gather(-1, labels.unsqueeze(-1)).squeeze(-1)
    policy_logps = (token_logps * shift_mask).sum(dim=1)
    ref = f32(policy_logps + torch.randn(2 * pairs, generator=generator, dtype=torch.float64) * 2)
    ref_chosen, ref_rejected = ref.chunk(2)

    def run(loss_types, beta, label_smoothing, loss_weights=None):
        leaf = logits.clone().requires_grad_(True)

        class Model:
            training = True

            def __call__(self, **kwargs):
                return SimpleNamespace(logits=leaf)

        fake = SimpleNamespace(
            model=Model(),
            accelerator=FakeAccelerator(),
            aux_loss_enabled=False,
            ld_alpha=None,
            precompute_ref_logps=True,
            f_divergence_type="reverse_kl",
            loss_types=loss_types,
            loss_weights=loss_weights or [1.0] * len(loss_types),
            beta=beta,
            label_smoothing=label_smoothing,
            use_weighting=False,
            _metrics=metrics_store(),
            _total_train_tokens=0,
            _tp_size=1,
        )
        inputs = {
            "input_ids": input_ids,
            "attention_mask": torch.ones_like(input_ids),
            "completion_mask": completion_mask,
            "ref_chosen_logps": ref_chosen,
            "ref_rejected_logps": ref_rejected,
        }
        loss = DPOTrainer._compute_loss(fake, fake.model, inputs, False)
        (grad,) = torch.autograd.grad(loss, leaf)
        names = ("rewards/chosen", "rewards/rejected", "rewards/accuracies", "rewards/margins")
        names += ("logps/chosen", "logps/rejected")
        metrics = {name: fake._metrics["train"][name][0] for name in names}
        # The last position predicts nothing (TRL shifts it away), so its gradient is 0 and is left out.
        return {"loss": loss.item(), "gradLogits": tolist(grad[:, :-1, :]), "metrics": metrics}

    cases = []
    for loss_type in ("sigmoid", "hinge", "ipo", "robust"):
        for beta, smoothing in ((0.1, 0.0), (0.5, 0.2)):
            out = run([loss_type], beta, smoothing)
            cases.append({"lossType": [loss_type], "beta": beta, "labelSmoothing": smoothing, **out})
    out = run(["sigmoid", "ipo"], 0.1, 0.0, [1.0, 0.25])
    cases.append({"lossType": ["sigmoid", "ipo"], "lossWeights": [1.0, 0.25], "beta": 0.1, "labelSmoothing": 0.0, **out})
    return {
        "trl_version": trl.__version__,
        "inputs": {
            "logits": tolist(logits[:, :-1, :]),
            "labels": labels.tolist(),
            "mask": shift_mask.tolist(),
            "refChosenLogps": tolist(ref_chosen),
            "refRejectedLogps": tolist(ref_rejected),
            # TRL's IPO divides by the unshifted completion mask's row sums.
            "lengths": completion_mask.sum(dim=1).tolist(),
        },
        "cases": cases,
    }


def main():
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(1234)
    OUT.mkdir(parents=True, exist_ok=True)
    advantages = build_advantages(generator)
    loss = build_loss(generator, advantages)
    dpo = build_dpo(generator)
    for name, data in (("grpo-advantages", advantages), ("grpo-loss", loss), ("dpo-loss", dpo)):
        path = OUT / f"{name}.json"
        path.write_text(json.dumps(data, indent=1) + "\n")
        print(f"wrote {path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
