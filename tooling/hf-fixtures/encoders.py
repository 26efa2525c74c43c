"""Writes the encoder fixtures of packages/test-kit/fixtures with the real transformers and tokenizers.

  tiny-bert, tiny-distilbert, tiny-roberta: a random-init *ForSequenceClassification saved with
    save_pretrained (safetensors) plus expected.json (fixed input ids, attention masks with padding
    rows, BERT's token_type_ids, and the eval-mode logits).
  tiny-wordpiece: a WordPiece tokenizer built with `tokenizers` (BERT normalizer, pre-tokenizer and
    [CLS]/[SEP] template), saved as tokenizer.json and vocab.txt, plus expected.json with the ids
    and token type ids of varied strings and pairs.
  tiny-wordpiece-vocab: the same vocabulary as a vocab.txt + tokenizer_config.json folder, with
    the ids transformers' BertTokenizer gives when it loads that folder.

Shapes are deliberately odd (3 heads of width 12, intermediate 50) and every parameter, LayerNorm
and biases included, is perturbed away from its init so a skipped bias or swapped weight shows.
Run from the repository root: /work/hfvenv/bin/python tooling/hf-fixtures/encoders.py
Tests never run this; they read the committed outputs.
"""

import json
import shutil
from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
from transformers import (
    BertConfig,
    BertForSequenceClassification,
    BertTokenizer,
    DistilBertConfig,
    DistilBertForSequenceClassification,
    RobertaConfig,
    RobertaForSequenceClassification,
)

FIXTURES = Path(__file__).resolve().parents[2] / "packages" / "test-kit" / "fixtures"

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
WORDS = [
    "the", "a", "an", "is", "was", "good", "bad", "movie", "film", "great", "not", "very", "and", "i",
    "it", "this", "that", "of", "to", "love", "hate", "cafe", "naive", "resume", "hello", "world", "play",
    "un", "believ", "token", "izer", "word", "piece", "bert", "review", "plot", "act", "fun",
]
SUFFIXES = ["##s", "##ing", "##ed", "##able", "##ly", "##er", "##izer", "##ization", "##ful", "##ness", "##y"]
PUNCTUATION = list(".,!?;:'\"()-/&%$#@*")
LETTERS = [chr(c) for c in range(ord("a"), ord("z") + 1)]
DIGITS = [str(d) for d in range(10)]
CONTINUATIONS = ["##" + ch for ch in LETTERS + DIGITS]
VOCAB = SPECIAL + PUNCTUATION + LETTERS + DIGITS + CONTINUATIONS + WORDS + SUFFIXES

TEXTS = [
    "hello world",
    "Hello World!",
    "HELLO, WORLD.",
    "the movie was good",
    "The movie was not good.",
    "This film is very, very bad!!!",
    "I love this movie",
    "i hate it",
    "Café",
    "café naïve résumé",
    "CAFÉ NAÏVE",
    "unbelievable",
    "Unbelievably fun",
    "tokenizer tokenization",
    "wordpiece tokenizers",
    "playing played plays player",
    "playful playfulness",
    "funny acting",
    "reviewers reviewed reviews",
    "qwerty",
    "xyzzy plugh",
    "zzz",
    "a",
    "A",
    "!",
    "?!",
    "...",
    "(hello)",
    "\"quoted\"",
    "it's",
    "don't",
    "rock-and-roll",
    "a/b/c",
    "50% off",
    "$100 & more",
    "#1 movie @ home",
    "e-mail: a@b.c",
    "2024",
    "3.14159",
    "007",
    "  leading spaces",
    "trailing spaces   ",
    "tabs\tand\nnewlines",
    "multiple     spaces     inside",
    "ÀÉÎÕÜ",
    "àéîõü",
    "Ångström",
    "straße",
    "Ελληνικά",
    "Русский текст",
    "中文字符",
    "日本語のテキスト",
    "한국어",
    "emoji 😀 here",
    "mixed CASE WoRdS",
    "bert BERT Bert",
    "the the the the the",
    "a b c d e f g h i j",
    "verylongwordthatisnotinthevocabulary",
    "supercalifragilisticexpialidocious",
    "actually",
    "acted",
    "actable",
    "plotless",
    "goodness",
    "badly",
    "lovely",
    "hateful",
    "worlds",
    "naively",
    "[CLS] inside text",
    "[SEP]",
    "[MASK] is masked",
    "a [MASK] b",
    "[UNK]",
    "[pad]",
    "hello[SEP]world",
    "semi;colon:colon",
    "x*y",
    "1,000,000",
    "first. second. third.",
    "What?! No way...",
    "i.e. e.g.",
    "ok",
    "OK!",
    "\u00a0non-breaking\u00a0space",
    "zero\u200bwidth",
    "control\u0007char",
    "soft\u00adhyphen",
    "combining e\u0301",
    "fullwidth ＡＢＣ",
    "ligature ﬁ",
    "Ⅻ roman",
    "αβγ",
]
TRUNCATE_TO = 6
PAIRS = [
    ["hello world", "the movie was good"],
    ["I love this movie", "it was not bad"],
    ["Café", "naïve"],
    ["unbelievable", "playfulness"],
    ["a", "b"],
    ["what?", "why!"],
    ["tokenizer", "wordpiece tokenizers are fun"],
    ["qwerty", "xyzzy"],
    ["[MASK] here", "and [SEP] there"],
    ["50%", "$100"],
]


def perturb(model: torch.nn.Module, seed: int) -> None:
    """Adds noise to every parameter so biases and LayerNorm weights are not their trivial init."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for _, parameter in sorted(model.named_parameters()):
            noise = torch.randn(parameter.shape, generator=generator) * 0.1
            parameter.add_(noise)


def write_model(name: str, model: torch.nn.Module, inputs: dict, extra: dict) -> None:
    directory = FIXTURES / name
    if directory.exists():
        shutil.rmtree(directory)
    model.eval()
    model.save_pretrained(directory, safe_serialization=True)
    with torch.no_grad():
        logits = model(**{k: torch.tensor(v) for k, v in inputs.items()}).logits
        unmasked = model(input_ids=torch.tensor(inputs["input_ids"])).logits
    expected = {
        **inputs,
        "logits": logits.tolist(),
        "logits_without_attention_mask": unmasked.tolist(),
        **extra,
    }
    (directory / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")


def bert() -> None:
    torch.manual_seed(1)
    config = BertConfig(
        vocab_size=151,
        hidden_size=36,
        num_hidden_layers=2,
        num_attention_heads=3,
        intermediate_size=50,
        max_position_embeddings=40,
        type_vocab_size=2,
        layer_norm_eps=1e-6,
        hidden_act="gelu",
        initializer_range=0.2,
        num_labels=3,
        id2label={0: "negative", 1: "neutral", 2: "positive"},
        label2id={"negative": 0, "neutral": 1, "positive": 2},
        pad_token_id=0,
    )
    model = BertForSequenceClassification(config)
    perturb(model, 11)
    inputs = {
        "input_ids": [
            [2, 17, 45, 99, 3, 120, 7, 3, 0, 0, 0],
            [2, 150, 149, 3, 0, 0, 0, 0, 0, 0, 0],
            [2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 3],
            [0, 0, 2, 33, 66, 99, 132, 3, 140, 141, 3],
        ],
        "attention_mask": [
            [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0],
            [1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
            [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
            [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1],
        ],
        "token_type_ids": [
            [0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0],
            [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1],
            [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1],
        ],
    }
    model.eval()
    with torch.no_grad():
        no_types = model(
            input_ids=torch.tensor(inputs["input_ids"]), attention_mask=torch.tensor(inputs["attention_mask"])
        ).logits
    write_model("tiny-bert", model, inputs, {"logits_without_token_type_ids": no_types.tolist()})


def distilbert() -> None:
    torch.manual_seed(2)
    config = DistilBertConfig(
        vocab_size=127,
        dim=36,
        n_layers=2,
        n_heads=3,
        hidden_dim=50,
        max_position_embeddings=32,
        activation="gelu",
        initializer_range=0.2,
        num_labels=2,
        id2label={0: "NEGATIVE", 1: "POSITIVE"},
        label2id={"NEGATIVE": 0, "POSITIVE": 1},
        pad_token_id=0,
    )
    model = DistilBertForSequenceClassification(config)
    perturb(model, 12)
    inputs = {
        "input_ids": [
            [2, 40, 41, 42, 43, 44, 3, 0, 0],
            [2, 126, 3, 0, 0, 0, 0, 0, 0],
            [2, 9, 19, 29, 39, 49, 59, 69, 3],
        ],
        "attention_mask": [
            [1, 1, 1, 1, 1, 1, 1, 0, 0],
            [1, 1, 1, 0, 0, 0, 0, 0, 0],
            [1, 1, 1, 1, 1, 1, 1, 1, 1],
        ],
    }
    write_model("tiny-distilbert", model, inputs, {})


def roberta() -> None:
    torch.manual_seed(3)
    config = RobertaConfig(
        vocab_size=133,
        hidden_size=36,
        num_hidden_layers=2,
        num_attention_heads=3,
        intermediate_size=50,
        max_position_embeddings=34,
        type_vocab_size=1,
        layer_norm_eps=1e-5,
        hidden_act="gelu",
        initializer_range=0.2,
        num_labels=2,
        id2label={0: "LABEL_0", 1: "LABEL_1"},
        label2id={"LABEL_0": 0, "LABEL_1": 1},
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
    )
    model = RobertaForSequenceClassification(config)
    perturb(model, 13)
    pad = config.pad_token_id
    inputs = {
        "input_ids": [
            [0, 50, 60, 70, 80, 2, pad, pad, pad, pad],
            [0, 132, 2, pad, pad, pad, pad, pad, pad, pad],
            [0, 4, 5, 6, 7, 8, 9, 10, 11, 2],
            [pad, pad, 0, 100, 101, 102, 2, 2, 103, 2],
        ],
        "attention_mask": [
            [1, 1, 1, 1, 1, 1, 0, 0, 0, 0],
            [1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
            [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
            [0, 0, 1, 1, 1, 1, 1, 1, 1, 1],
        ],
    }
    write_model("tiny-roberta", model, inputs, {})


def wordpiece_tokenizer() -> Tokenizer:
    vocab = {token: index for index, token in enumerate(VOCAB)}
    tokenizer = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]", continuing_subword_prefix="##"))
    tokenizer.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True
    )
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    cls, sep = vocab["[CLS]"], vocab["[SEP]"]
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS]:0 $A:0 [SEP]:0",
        pair="[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls), ("[SEP]", sep)],
    )
    tokenizer.decoder = decoders.WordPiece(prefix="##")
    tokenizer.add_special_tokens(SPECIAL)
    return tokenizer


def encodings(encode) -> dict:
    singles = [encode(text, None) for text in TEXTS]
    pairs = [encode(a, b) for a, b in PAIRS]
    return {"texts": TEXTS, "single": singles, "pairs": PAIRS, "pair": pairs}


def wordpiece() -> None:
    directory = FIXTURES / "tiny-wordpiece"
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    tokenizer = wordpiece_tokenizer()
    tokenizer.save(str(directory / "tokenizer.json"))
    (directory / "vocab.txt").write_text("".join(token + "\n" for token in VOCAB))
    config = {
        "tokenizer_class": "BertTokenizer",
        "do_lower_case": True,
        "unk_token": "[UNK]",
        "sep_token": "[SEP]",
        "pad_token": "[PAD]",
        "cls_token": "[CLS]",
        "mask_token": "[MASK]",
        "model_max_length": 512,
    }
    (directory / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n")

    def encode(text, pair):
        encoding = tokenizer.encode(text, pair)
        return {"ids": encoding.ids, "token_type_ids": encoding.type_ids}

    expected = encodings(encode)
    # Without special tokens, for the add_special_tokens: false path.
    expected["single_without_special_tokens"] = [
        tokenizer.encode(text, add_special_tokens=False).ids for text in TEXTS
    ]
    # Truncated to 6 tokens the way the library truncates: the text is cut, [CLS]/[SEP] stay.
    tokenizer.enable_truncation(max_length=TRUNCATE_TO)
    expected["truncate_to"] = TRUNCATE_TO
    expected["single_truncated"] = [tokenizer.encode(text).ids for text in TEXTS]
    tokenizer.no_truncation()
    (directory / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")

    vocab_only = FIXTURES / "tiny-wordpiece-vocab"
    if vocab_only.exists():
        shutil.rmtree(vocab_only)
    vocab_only.mkdir(parents=True)
    shutil.copy(directory / "vocab.txt", vocab_only / "vocab.txt")
    cased = {**config, "do_lower_case": False}
    (vocab_only / "tokenizer_config.json").write_text(json.dumps(cased, indent=2) + "\n")
    # transformers builds its tokenizer from vocab.txt and the config's do_lower_case here.
    from_vocab = BertTokenizer.from_pretrained(str(vocab_only))

    def encode_from_vocab(text, pair):
        encoding = from_vocab(text, pair)
        return {"ids": encoding["input_ids"], "token_type_ids": encoding["token_type_ids"]}

    (vocab_only / "expected.json").write_text(json.dumps(encodings(encode_from_vocab), indent=1) + "\n")


if __name__ == "__main__":
    bert()
    distilbert()
    roberta()
    wordpiece()
    for name in ["tiny-bert", "tiny-distilbert", "tiny-roberta", "tiny-wordpiece", "tiny-wordpiece-vocab"]:
        size = sum(f.stat().st_size for f in (FIXTURES / name).iterdir())
        print(f"{name}: {size} bytes")
