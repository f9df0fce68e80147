"""llm-speed runner for ExLlamaV2 (CUDA), driven by @llm-speed/plugin-exllamav2.

Protocol (one JSON object per stdout line; see framework protocol/python-runner.ts):
  usage: python -u exllamav2_runner.py <model directory> <max sequence length>
  after loading:      {"event": "ready", "versions": {"exllamav2": ..., "cuda": ...}}
  per stdin request:  {"prompt": str} | {"messages": [...]}, "max_tokens": int
  answers:            {"event": "token", "n": <tokens in this step>, "t": perf_counter seconds},
                      then {"event": "done", "prompt_tokens", "output_tokens", "stop_reason"}
  failures:           {"event": "error", "message": str, "kind": "import" | "runtime"}
The dynamic generator stops only on the stop conditions it is given; with none, it generates
exactly max_tokens, so output length is exact.
"""
import json
import sys
import time


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def cuda_version():
    try:
        import torch
        return torch.version.cuda
    except Exception:
        return None


def prompt_text(tokenizer, request):
    if "messages" in request:
        # ExLlamaV2 has no chat templates of its own: a plain role-tagged transcript.
        turns = [f"{m['role']}: {m['content']}" for m in request["messages"]]
        return "\n".join(turns) + "\nassistant:"
    return request.get("prompt", "")


def serve(generator_module, generator, tokenizer, request):
    input_ids = tokenizer.encode(prompt_text(tokenizer, request))
    prompt_tokens = int(input_ids.shape[-1])
    max_tokens = int(request["max_tokens"])
    job = generator_module.ExLlamaV2DynamicJob(input_ids=input_ids, max_new_tokens=max_tokens, stop_conditions=[])
    generator.enqueue(job)
    output_tokens = 0
    stop_reason = "length"
    while generator.num_remaining_jobs():
        for result in generator.iterate():
            if result.get("stage") != "streaming":
                continue
            ids = result.get("token_ids")
            n = int(ids.shape[-1]) if ids is not None else 0
            if n > 0:
                output_tokens += n
                emit({"event": "token", "n": n, "t": time.perf_counter()})
            if result.get("eos"):
                reason = result.get("eos_reason")
                stop_reason = "length" if reason in (None, "max_new_tokens") else "eos"
                output_tokens = int(result.get("new_tokens", output_tokens))
    emit({"event": "done", "prompt_tokens": prompt_tokens, "output_tokens": output_tokens, "stop_reason": stop_reason})


def main():
    if len(sys.argv) < 3:
        emit({"event": "error", "kind": "runtime", "message": "usage: exllamav2_runner.py <model dir> <max seq len>"})
        return 2
    try:
        import exllamav2
        import exllamav2.generator as generator_module
    except ImportError as error:
        emit({"event": "error", "kind": "import", "message": f"{error} (pip install exllamav2)"})
        return 3
    try:
        config = exllamav2.ExLlamaV2Config(sys.argv[1])
        config.max_seq_len = int(sys.argv[2])
        model = exllamav2.ExLlamaV2(config)
        cache = exllamav2.ExLlamaV2Cache(model, max_seq_len=config.max_seq_len, lazy=True)
        model.load_autosplit(cache)
        tokenizer = exllamav2.ExLlamaV2Tokenizer(config)
        generator = generator_module.ExLlamaV2DynamicGenerator(model=model, cache=cache, tokenizer=tokenizer)
    except Exception as error:
        emit({"event": "error", "kind": "runtime", "message": f"cannot load {sys.argv[1]}: {error}"})
        return 4
    version = str(getattr(exllamav2, "__version__", "unknown"))
    emit({"event": "ready", "versions": {"exllamav2": version, "cuda": cuda_version()}})
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            serve(generator_module, generator, tokenizer, json.loads(line))
        except Exception as error:
            emit({"event": "error", "kind": "runtime", "message": str(error)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
