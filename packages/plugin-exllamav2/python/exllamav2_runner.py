"""llm-speed runner for ExLlamaV2 (CUDA), driven by @llm-speed/plugin-exllamav2.

Protocol (one JSON object per stdout line; see framework protocol/python-runner.ts):
  usage: python -u exllamav2_runner.py <model directory> <max sequence length>
  after loading:      {"event": "ready", "versions": {"exllamav2": ..., "cuda": ...},
                       "device": {"kind": "cuda" | "rocm", "name": str}}
  per stdin request:  {"prompt": str} | {"messages": [...]}, "max_tokens": int, "cache_prompt": bool,
                      "sampling": {"temperature", "top_k", "top_p", "min_p", "repeat_penalty", "seed", ...}
  answers:            {"event": "token", "n": <tokens in this step>, "t": perf_counter seconds},
                      then {"event": "done", "prompt_tokens", "output_tokens", "stop_reason",
                            "cached_tokens", "timings": {"prompt_n", "prompt_ms", "decode_n", "decode_ms"}}
The timings are the dynamic generator's own (its final result's time_prefill and time_generate,
cached_tokens and new_tokens). With cache_prompt false the generator's page table is cleared
first, so no cached prefix is reused.
  failures:           {"event": "error", "message": str, "kind": "import" | "runtime"}
The dynamic generator stops only on the stop conditions it is given; with none, it generates
exactly max_tokens, so output length is exact.
"""
import sys
import time

# The protocol's shared Python side, on PYTHONPATH from the framework (protocol/python-runner.ts).
from llm_speed_runner import emit, run


def cuda_version():
    try:
        import torch
        return torch.version.cuda
    except Exception:
        return None


def device_of():
    """torch's view of the GPU the model runs on: CUDA or ROCm (torch.version.hip), and its name."""
    try:
        import torch
        kind = "rocm" if getattr(torch.version, "hip", None) else "cuda" if torch.version.cuda else "unknown"
        name = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    except Exception:
        return {"kind": "unknown"}
    return {"kind": kind, "name": name} if name else {"kind": kind}


def sampler_settings(generator_module, sampling):
    """The suite's sampling as ExLlamaV2Sampler.Settings."""
    sampling = sampling or {}
    settings = generator_module.ExLlamaV2Sampler.Settings()
    settings.temperature = float(sampling.get("temperature", 0.0))
    settings.top_k = int(sampling.get("top_k", 1))
    settings.top_p = float(sampling.get("top_p", 1.0))
    settings.min_p = float(sampling.get("min_p", 0.0))
    settings.token_repetition_penalty = float(sampling.get("repeat_penalty", 1.0))
    return settings


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
    sampling = request.get("sampling") or {}
    if request.get("cache_prompt") is False and hasattr(generator, "reset_page_table"):
        generator.reset_page_table()
    job = generator_module.ExLlamaV2DynamicJob(
        input_ids=input_ids,
        max_new_tokens=max_tokens,
        stop_conditions=[],
        gen_settings=sampler_settings(generator_module, sampling),
        seed=int(sampling.get("seed", 0)),
    )
    generator.enqueue(job)
    output_tokens = 0
    stop_reason = "length"
    final = {}
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
                final = result
    done = {"event": "done", "prompt_tokens": prompt_tokens, "output_tokens": output_tokens, "stop_reason": stop_reason}
    cached = final.get("cached_tokens")
    if isinstance(cached, int):
        done["cached_tokens"] = cached
    timings = {}
    time_prefill, time_generate = final.get("time_prefill"), final.get("time_generate")
    if isinstance(time_prefill, (int, float)) and time_prefill > 0:
        timings["prompt_n"], timings["prompt_ms"] = prompt_tokens - (cached or 0), time_prefill * 1000.0
    if isinstance(time_generate, (int, float)) and time_generate > 0:
        timings["decode_n"], timings["decode_ms"] = output_tokens, time_generate * 1000.0
    if timings:
        done["timings"] = timings
    emit(done)


def start(args):
    import exllamav2
    import exllamav2.generator as generator_module
    config = exllamav2.ExLlamaV2Config(args[0])
    config.max_seq_len = int(args[1])
    model = exllamav2.ExLlamaV2(config)
    cache = exllamav2.ExLlamaV2Cache(model, max_seq_len=config.max_seq_len, lazy=True)
    model.load_autosplit(cache)
    tokenizer = exllamav2.ExLlamaV2Tokenizer(config)
    generator = generator_module.ExLlamaV2DynamicGenerator(model=model, cache=cache, tokenizer=tokenizer)
    version = str(getattr(exllamav2, "__version__", "unknown"))
    ready = {"versions": {"exllamav2": version, "cuda": cuda_version()}, "device": device_of()}
    return ready, lambda request: serve(generator_module, generator, tokenizer, request)


if __name__ == "__main__":
    sys.exit(run("exllamav2_runner.py <model dir> <max seq len>", 2, start, install="pip install exllamav2"))
