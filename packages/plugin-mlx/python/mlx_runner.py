"""llm-speed runner for MLX (Apple Silicon), driven by @llm-speed/plugin-mlx.

Protocol (one JSON object per stdout line; see framework protocol/python-runner.ts):
  usage: python -u mlx_runner.py <model path or hub id>
  after loading:      {"event": "ready", "versions": {"mlx": ..., "mlx_lm": ...},
                       "device": {"kind": "metal" | "cpu", "name": str}}
  per stdin request:  {"prompt": str} | {"messages": [...]}, "max_tokens": int,
                      "sampling": {"temperature", "top_k", "top_p", "min_p", "repeat_penalty", "seed", ...}
  answers:            {"event": "token", "n": 1, "t": perf_counter seconds} per token,
                      then {"event": "done", "prompt_tokens", "output_tokens", "stop_reason",
                            "timings": {"prompt_n", "prompt_ms", "decode_n", "decode_ms"}}
The timings are mlx-lm's own: stream_generate reports prompt_tps (prompt tokens over the time to
the first token) and generation_tps (tokens generated over the time since the first token).
Each call starts from a fresh KV cache (no prompt_cache is passed), so every prompt runs cold.
  failures:           {"event": "error", "message": str, "kind": "import" | "runtime"}
Requests are served one at a time in this process (MLX generation is serial).
"""
import sys
import time

# The protocol's shared Python side, on PYTHONPATH from the framework (protocol/python-runner.ts).
from llm_speed_runner import emit, run, version_of


def prompt_text(tokenizer, request):
    if "messages" in request:
        return tokenizer.apply_chat_template(request["messages"], add_generation_prompt=True, tokenize=False)
    return request.get("prompt", "")


def device_of():
    """What MLX computes on: its default device, and the Metal GPU's name where MLX reports one."""
    try:
        import mlx.core as mx
        kind = "metal" if "gpu" in str(mx.default_device()).lower() else "cpu"
    except Exception:
        return {"kind": "unknown"}
    name = None
    for info in (getattr(mx, "device_info", None), getattr(getattr(mx, "metal", None), "device_info", None)):
        try:
            name = info().get("device_name") if info else None
        except Exception:
            name = None
        if name:
            break
    return {"kind": kind, "name": name} if name else {"kind": kind}


def sampling_kwargs(sampling):
    """The suite's sampling as stream_generate arguments (mlx_lm.sample_utils), and its seed."""
    sampling = sampling or {}
    kwargs = {}
    try:
        from mlx_lm.sample_utils import make_sampler, make_logits_processors
    except ImportError:
        # Older mlx-lm: stream_generate takes temp directly and samples greedily at 0.
        return {"temp": float(sampling.get("temperature", 0.0))}
    kwargs["sampler"] = make_sampler(
        temp=float(sampling.get("temperature", 0.0)),
        top_p=float(sampling.get("top_p", 1.0)),
        min_p=float(sampling.get("min_p", 0.0)),
        top_k=int(sampling.get("top_k", 0)),
    )
    penalty = float(sampling.get("repeat_penalty", 1.0))
    kwargs["logits_processors"] = make_logits_processors(repetition_penalty=None if penalty == 1.0 else penalty)
    return kwargs


def seed(sampling):
    try:
        import mlx.core as mx
        mx.random.seed(int((sampling or {}).get("seed", 0)))
    except Exception:
        pass


def serve(mlx_lm, model, tokenizer, request):
    text = prompt_text(tokenizer, request)
    max_tokens = int(request["max_tokens"])
    output_tokens = 0
    prompt_tokens = None
    finish = None
    last = None
    seed(request.get("sampling"))
    kwargs = sampling_kwargs(request.get("sampling"))
    for response in mlx_lm.stream_generate(model, tokenizer, text, max_tokens=max_tokens, **kwargs):
        output_tokens += 1
        emit({"event": "token", "n": 1, "t": time.perf_counter()})
        prompt_tokens = getattr(response, "prompt_tokens", prompt_tokens)
        finish = getattr(response, "finish_reason", None) or finish
        last = response
    if finish is None:
        finish = "length" if output_tokens >= max_tokens else "eos"
    elif finish == "stop":
        finish = "eos"
    done = {"event": "done", "prompt_tokens": prompt_tokens, "output_tokens": output_tokens, "stop_reason": finish}
    timings = timings_of(last)
    if timings:
        done["timings"] = timings
    emit(done)


def timings_of(response):
    """mlx-lm's own rates turned back into counts and milliseconds."""
    if response is None:
        return None
    out = {}
    prompt_n, prompt_tps = getattr(response, "prompt_tokens", None), getattr(response, "prompt_tps", None)
    if prompt_n and prompt_tps:
        out["prompt_n"], out["prompt_ms"] = prompt_n, prompt_n / prompt_tps * 1000.0
    decode_n, decode_tps = getattr(response, "generation_tokens", None), getattr(response, "generation_tps", None)
    if decode_n and decode_tps:
        out["decode_n"], out["decode_ms"] = decode_n, decode_n / decode_tps * 1000.0
    return out or None


def start(args):
    import mlx_lm
    model, tokenizer = mlx_lm.load(args[0])
    ready = {"versions": {"mlx": version_of("mlx.core"), "mlx_lm": version_of("mlx_lm")}, "device": device_of()}
    return ready, lambda request: serve(mlx_lm, model, tokenizer, request)


if __name__ == "__main__":
    sys.exit(run("mlx_runner.py <model>", 1, start, install="pip install mlx-lm"))
