#!/usr/bin/env python3
"""Conformance vectors of OpenAI request counts, from their reference: the OpenAI
cookbook's "How to count tokens with tiktoken" (`num_tokens_from_messages`,
`num_tokens_for_tools`, ported below as written there) over the official tiktoken.

    $ORACLE_DIR/venv/bin/python conformance/generate_openai_requests.py [--check]

Writes conformance/requests/openai.jsonl: {"name", "model", "format", "body" (JSON
text), "tokens", "exact", "source"}. The cases: the cookbook's own example messages and
function, and conversations of shared-corpus lines (fixed seed), for the models the
cookbook covers; each as a Chat Completions body and, where it has no `name`s (which the
Responses API does not have), as a Responses body, which must count the same.
"""
import json
import pathlib
import random
import sys

import tiktoken

HERE = pathlib.Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "shared" / "corpus"
SOURCE = "OpenAI cookbook, How_to_count_tokens_with_tiktoken (num_tokens_from_messages, num_tokens_for_tools), tiktoken 0.14"


def num_tokens_from_messages(messages, model):
    """The cookbook's function (its model table)."""
    encoding = tiktoken.encoding_for_model(model)
    if model in {"gpt-3.5-turbo-0125", "gpt-4-0314", "gpt-4-32k-0314", "gpt-4-0613", "gpt-4-32k-0613", "gpt-4o-mini-2024-07-18", "gpt-4o-2024-08-06"}:
        tokens_per_message, tokens_per_name = 3, 1
    elif "gpt-3.5-turbo" in model:
        return num_tokens_from_messages(messages, model="gpt-3.5-turbo-0125")
    elif "gpt-4o-mini" in model:
        return num_tokens_from_messages(messages, model="gpt-4o-mini-2024-07-18")
    elif "gpt-4o" in model:
        return num_tokens_from_messages(messages, model="gpt-4o-2024-08-06")
    elif "gpt-4" in model:
        return num_tokens_from_messages(messages, model="gpt-4-0613")
    else:
        raise NotImplementedError(model)
    num_tokens = 0
    for message in messages:
        num_tokens += tokens_per_message
        for key, value in message.items():
            num_tokens += len(encoding.encode(value))
            if key == "name":
                num_tokens += tokens_per_name
    num_tokens += 3  # every reply is primed with <|start|>assistant<|message|>
    return num_tokens


def num_tokens_for_tools(functions, messages, model):
    """The cookbook's function for function-calling requests."""
    if model in ["gpt-4o", "gpt-4o-mini"]:
        func_init, prop_init, prop_key, enum_init, enum_item, func_end = 7, 3, 3, -3, 3, 12
    elif model in ["gpt-3.5-turbo", "gpt-4"]:
        func_init, prop_init, prop_key, enum_init, enum_item, func_end = 10, 3, 3, -3, 3, 12
    else:
        raise NotImplementedError(model)
    encoding = tiktoken.encoding_for_model(model)
    func_token_count = 0
    if len(functions) > 0:
        for f in functions:
            func_token_count += func_init
            function = f["function"]
            f_name = function["name"]
            f_desc = function["description"]
            if f_desc.endswith("."):
                f_desc = f_desc[:-1]
            line = f_name + ":" + f_desc
            func_token_count += len(encoding.encode(line))
            if len(function["parameters"]["properties"]) > 0:
                func_token_count += prop_init
                for key in list(function["parameters"]["properties"].keys()):
                    func_token_count += prop_key
                    p_name = key
                    p_type = function["parameters"]["properties"][key]["type"]
                    p_desc = function["parameters"]["properties"][key]["description"]
                    if "enum" in function["parameters"]["properties"][key].keys():
                        func_token_count += enum_init
                        for item in function["parameters"]["properties"][key]["enum"]:
                            func_token_count += enum_item
                            func_token_count += len(encoding.encode(item))
                    if p_desc.endswith("."):
                        p_desc = p_desc[:-1]
                    line = f"{p_name}:{p_type}:{p_desc}"
                    func_token_count += len(encoding.encode(line))
        func_token_count += func_end
    return num_tokens_from_messages(messages, model) + func_token_count


COOKBOOK_MESSAGES = [
    {"role": "system", "content": "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."},
    {"role": "system", "name": "example_user", "content": "New synergies will help drive top-line growth."},
    {"role": "system", "name": "example_assistant", "content": "Things working well together will increase revenue."},
    {"role": "system", "name": "example_user", "content": "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage."},
    {"role": "system", "name": "example_assistant", "content": "Let's talk later when we're less busy about how to do better."},
    {"role": "user", "content": "This late pivot means we don't have time to boil the ocean for the client deliverable."},
]
COOKBOOK_TOOLS = [{"type": "function", "function": {
    "name": "get_current_weather",
    "description": "Get the current weather in a given location",
    "parameters": {"type": "object", "properties": {
        "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
        "unit": {"type": "string", "description": "The unit of temperature to return", "enum": ["celsius", "fahrenheit"]},
    }, "required": ["location"]},
}}]
COOKBOOK_TOOL_MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant that can answer to questions about the weather."},
    {"role": "user", "content": "What's the weather like in San Francisco?"},
]
MODELS = ["gpt-3.5-turbo", "gpt-4", "gpt-4o", "gpt-4o-mini"]


def corpus_conversations(rng, n):
    lines = []
    for path in sorted(CORPUS.glob("*.txt")):
        lines += [l for l in path.read_text("utf-8").split("\n") if len(l) > 20]
    out = []
    for _ in range(n):
        messages = [{"role": "system", "content": rng.choice(lines)[:300]}]
        for i in range(rng.randint(2, 9)):
            messages.append({"role": "user" if i % 2 == 0 else "assistant", "content": "\n".join(rng.choice(lines)[:400] for _ in range(rng.randint(1, 3)))})
        out.append(messages)
    return out


def responses_body(messages):
    system = [m for m in messages if m["role"] == "system"]
    body = {"model": "m", "input": [{"role": m["role"], "content": m["content"]} for m in messages if m["role"] != "system"]}
    if len(system) == 1 and messages[0]["role"] == "system":
        body["instructions"] = system[0]["content"]
    else:
        body["input"] = [{"role": m["role"], "content": m["content"]} for m in messages]
    return body


def main():
    rng = random.Random(20261208)
    rows = []

    def add(name, model, messages, tools=None):
        tokens = num_tokens_for_tools(tools, messages, model) if tools else num_tokens_from_messages(messages, model)
        body = {"model": model, "messages": messages, **({"tools": tools} if tools else {})}
        exact = not tools
        rows.append({"name": name, "model": model, "format": "openai-chat", "body": json.dumps(body, ensure_ascii=False), "tokens": tokens, "exact": exact, "source": SOURCE})
        if not tools and not any("name" in m for m in messages):
            rows.append({"name": name + " (responses)", "model": model, "format": "openai-responses",
                         "body": json.dumps(responses_body(messages), ensure_ascii=False), "tokens": tokens, "exact": exact, "source": SOURCE})

    for model in MODELS:
        add("cookbook example messages", model, COOKBOOK_MESSAGES)
        add("cookbook function calling example", model, COOKBOOK_TOOL_MESSAGES, COOKBOOK_TOOLS)
    for i, messages in enumerate(corpus_conversations(rng, 24)):
        add(f"corpus conversation {i}", MODELS[i % len(MODELS)], messages)

    out = HERE / "requests" / "openai.jsonl"
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if "--check" in sys.argv:
        same = out.exists() and out.read_text("utf-8") == text
        print(f"conformance/requests/openai.jsonl: {len(rows)} cases {'up to date' if same else 'DIFFER'}")
        if not same:
            sys.exit("conformance/requests/openai.jsonl differs from the cookbook's counts (rerun without --check)")
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8", newline="\n")
        print(f"conformance/requests/openai.jsonl: {len(rows)} cases")


if __name__ == "__main__":
    main()
