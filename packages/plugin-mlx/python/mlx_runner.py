"""llm-speed runner for MLX (Apple Silicon), driven by @llm-speed/plugin-mlx.

Protocol (one JSON object per stdout line; see framework protocol/python-runner.ts):
  usage: python -u mlx_runner.py <model path or hub id>
  after loading:      {"event": "ready", "versions": {"mlx": ..., "mlx_lm": ...}}
  per stdin request:  {"prompt": str} | {"messages": [...]}, "max_tokens": int
  answers:            {"event": "token", "n": 1, "t": perf_counter seconds} per token,
                      then {"event": "done", "prompt_tokens", "output_tokens", "stop_reason"}
  failures:           {"event": "error", "message": str, "kind": "import" | "runtime"}
Requests are served one at a time in this process (MLX generation is serial).
"""
import json
import sys
import time


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def version_of(module_name):
    try:
        module = __import__(module_name, fromlist=["__version__"])
        return str(getattr(module, "__version__", "unknown"))
    except Exception:
        return None


def prompt_text(tokenizer, request):
    if "messages" in request:
        return tokenizer.apply_chat_template(request["messages"], add_generation_prompt=True, tokenize=False)
    return request.get("prompt", "")


def serve(mlx_lm, model, tokenizer, request):
    text = prompt_text(tokenizer, request)
    max_tokens = int(request["max_tokens"])
    output_tokens = 0
    prompt_tokens = None
    finish = None
    for response in mlx_lm.stream_generate(model, tokenizer, text, max_tokens=max_tokens):
        output_tokens += 1
        emit({"event": "token", "n": 1, "t": time.perf_counter()})
        prompt_tokens = getattr(response, "prompt_tokens", prompt_tokens)
        finish = getattr(response, "finish_reason", None) or finish
    if finish is None:
        finish = "length" if output_tokens >= max_tokens else "eos"
    elif finish == "stop":
        finish = "eos"
    emit({"event": "done", "prompt_tokens": prompt_tokens, "output_tokens": output_tokens, "stop_reason": finish})


def main():
    if len(sys.argv) < 2:
        emit({"event": "error", "kind": "runtime", "message": "usage: mlx_runner.py <model>"})
        return 2
    try:
        import mlx_lm
    except ImportError as error:
        emit({"event": "error", "kind": "import", "message": f"{error} (pip install mlx-lm)"})
        return 3
    try:
        model, tokenizer = mlx_lm.load(sys.argv[1])
    except Exception as error:
        emit({"event": "error", "kind": "runtime", "message": f"cannot load {sys.argv[1]}: {error}"})
        return 4
    emit({"event": "ready", "versions": {"mlx": version_of("mlx.core"), "mlx_lm": version_of("mlx_lm")}})
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            serve(mlx_lm, model, tokenizer, json.loads(line))
        except Exception as error:
            emit({"event": "error", "kind": "runtime", "message": str(error)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
