"""A synthetic usage log for measuring `tokfare price` on logs of any length:
N lines, 1000 customers, six models in OpenAI, Anthropic and Gemini usage shapes,
timestamps over November 2026, ~2% of lines a redelivery of the line before.

    python3 benches/python/synthetic_usage_log.py 10000000 /tmp/log10m.jsonl   # 1.9 GB
    /usr/bin/time -v target/release/tokfare price --format json /tmp/log10m.jsonl > /dev/null

Deterministic (seeded): the same N gives the same file.
"""
import random, sys
n = int(sys.argv[1]); out = open(sys.argv[2], "w")
rnd = random.Random(7)
models = ["gpt-4o", "gpt-4.1-mini", "claude-sonnet-4-6", "claude-haiku-4-5-20251001", "gemini-2.5-flash", "o4-mini"]
last = None
for i in range(n):
    if last is not None and rnd.random() < 0.02:
        out.write(last); continue
    m = models[i % len(models)]
    ts = f"2026-11-{1 + (i * 29 // n):02d}T{(i // 97) % 24:02d}:{(i // 7) % 60:02d}:{i % 60:02d}Z"
    c = f"cust-{rnd.randrange(1000):04d}"
    inp, outp = rnd.randrange(10, 50000), rnd.randrange(1, 4000)
    if m.startswith("claude"):
        u = f'"usage":{{"input_tokens":{inp},"cache_read_input_tokens":{inp // 3},"output_tokens":{outp}}}'
    elif m.startswith("gemini"):
        u = f'"usage":{{"usageMetadata":{{"promptTokenCount":{inp},"candidatesTokenCount":{outp},"totalTokenCount":{inp + outp}}}}}'
    else:
        u = f'"usage":{{"prompt_tokens":{inp},"completion_tokens":{outp},"total_tokens":{inp + outp}}}'
    last = f'{{"id":"evt-{i:09d}","customer":"{c}","model":"{m}","timestamp":"{ts}",{u}}}\n'
    out.write(last)
