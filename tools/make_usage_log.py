#!/usr/bin/env python3
"""Writes examples/usage.jsonl: a realistic, deterministic usage log (seeded) for the
README's main job and the tests.

Three thousand lines over November 2026 across six customers and four providers, in
the shapes real systems log: tokfare envelopes around OpenAI Chat Completions and
Responses, Anthropic Messages and Gemini usage objects, envelopes around whole raw
provider responses, batch and flex requests, long-context Anthropic and Gemini calls,
GTC 2026 tier traffic (Qwen 3, Kimi K2.5) and ~1% retried deliveries (same event id,
same content) that a correct meter counts once.

    python tools/make_usage_log.py            # write
    python tools/make_usage_log.py --check    # fail if the file differs
"""
import argparse, datetime, json, pathlib, random, sys

OUT = pathlib.Path(__file__).resolve().parent.parent / "examples" / "usage.jsonl"
CUSTOMERS = ["acme", "globex", "initech", "umbrella", "hooli", "stark"]


def openai_chat(r, reasoning=False):
    prompt = r.randint(200, 60000)
    cached = r.choice([0, 0, 0, (prompt // 1024) * 1024 // 2])
    completion = r.randint(20, 4000)
    reasoning_tokens = r.randint(0, completion) if reasoning else 0
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": reasoning_tokens, "audio_tokens": 0,
                                          "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}}


def openai_responses(r):
    inp = r.randint(500, 120000)
    cached = r.choice([0, (inp // 1024) * 1024 // 2])
    out = r.randint(50, 8000)
    return {"input_tokens": inp, "input_tokens_details": {"cached_tokens": cached},
            "output_tokens": out, "output_tokens_details": {"reasoning_tokens": r.randint(0, out)},
            "total_tokens": inp + out}


def anthropic(r, long_context=False):
    inp = r.randint(210000, 400000) if long_context else r.randint(10, 30000)
    read = r.choice([0, 0, r.randint(1000, 50000)])
    w5, w1 = r.choice([(0, 0), (r.randint(500, 8000), 0), (0, r.randint(500, 8000))])
    return {"input_tokens": inp, "cache_creation_input_tokens": w5 + w1, "cache_read_input_tokens": read,
            "cache_creation": {"ephemeral_5m_input_tokens": w5, "ephemeral_1h_input_tokens": w1},
            "output_tokens": r.randint(10, 6000), "service_tier": "standard"}


def gemini(r, long_context=False):
    prompt = r.randint(210000, 900000) if long_context else r.randint(100, 150000)
    cached = r.choice([0, 0, prompt // 2])
    cand, thoughts = r.randint(10, 5000), r.randint(0, 8000)
    return {"promptTokenCount": prompt, "cachedContentTokenCount": cached, "candidatesTokenCount": cand,
            "thoughtsTokenCount": thoughts, "totalTokenCount": prompt + cand + thoughts}


def line(r, i, when):
    customer = r.choice(CUSTOMERS)
    ts = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    kind = r.random()
    if kind < 0.22:
        model = r.choice(["gpt-4o-2024-08-06", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini"])
        ev = {"id": f"evt-{i:05d}", "customer": customer, "model": model, "timestamp": ts, "provider": "openai",
              "request_id": f"chatcmpl-{r.getrandbits(64):016x}", "usage": openai_chat(r)}
        if r.random() < 0.15:
            ev["service"] = "batch"
        return ev
    if kind < 0.32:
        # A whole Chat Completions response, as some gateways log it.
        return {"customer": customer, "timestamp": ts, "provider": "openai",
                "response": {"id": f"chatcmpl-{r.getrandbits(64):016x}", "object": "chat.completion",
                             "model": r.choice(["o3", "o4-mini"]), "service_tier": r.choice(["default", "flex"]),
                             "usage": openai_chat(r, reasoning=True)}}
    if kind < 0.42:
        return {"id": f"evt-{i:05d}", "customer": customer, "model": r.choice(["gpt-5", "gpt-5-mini"]), "timestamp": ts,
                "provider": "openai", "request_id": f"resp_{r.getrandbits(64):016x}", "usage": openai_responses(r)}
    if kind < 0.60:
        long_context = r.random() < 0.08
        # Current Claude models of the bundled catalog (LiteLLM 1.110.2); Sonnet 4.6 holds 1M tokens.
        model = "claude-sonnet-4-6" if long_context else r.choice(
            ["claude-sonnet-4-6", "claude-haiku-4-5-20251001", "claude-opus-4-6"])
        return {"customer": customer, "timestamp": ts, "provider": "anthropic",
                "response": {"id": f"msg_{r.getrandbits(64):016x}", "type": "message", "role": "assistant",
                             "model": model, "usage": anthropic(r, long_context)}}
    if kind < 0.75:
        long_context = r.random() < 0.1
        model = "gemini-2.5-pro" if long_context else r.choice(["gemini-2.5-pro", "gemini-2.5-flash"])
        return {"id": f"evt-{i:05d}", "customer": customer, "model": model, "timestamp": ts, "provider": "google",
                "request_id": f"gemini-{r.getrandbits(48):012x}", "usage": {"usageMetadata": gemini(r, long_context)}}
    # GTC 2026 tier traffic, metered in tokfare's own usage form.
    model = r.choice(["Qwen/Qwen3-8B", "qwen3-235b-a22b", "kimi-k2.5", "moonshotai/Kimi-K2.5"])
    inp, out = r.randint(100, 20000), r.randint(10, 3000)
    return {"id": f"evt-{i:05d}", "customer": customer, "model": model, "timestamp": ts,
            "usage": {"input": inp, "output": out, "requests": 1}}


def build():
    r = random.Random(20261123)
    start = datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc)
    lines = []
    for i in range(2970):
        when = start + datetime.timedelta(seconds=r.randint(0, 30 * 86400 - 1))
        ev = line(r, i, when)
        lines.append(json.dumps(ev, separators=(",", ":")))
        if r.random() < 0.01:
            lines.append(lines[-1])  # a retried delivery of the same event
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    text = build()
    if args.check:
        if not OUT.exists() or OUT.read_text() != text:
            sys.exit(f"{OUT} differs; run tools/make_usage_log.py")
        print(f"{OUT.name}: up to date")
    else:
        OUT.write_text(text)
        print(f"wrote {OUT} ({text.count(chr(10))} lines)")


if __name__ == "__main__":
    main()
