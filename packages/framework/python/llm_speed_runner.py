"""The Python side of llm-speed's runner protocol, shared by every runner script a driver plugin
ships (plugin-mlx/python/mlx_runner.py, plugin-exllamav2/python/exllamav2_runner.py, ...).

The framework (protocol/python-runner.ts) puts this folder on PYTHONPATH when it starts a runner,
so a runner imports it (`from llm_speed_runner import emit, run`), and holds only its engine's
code: a start(args) that loads the model and says what the "ready" line carries, and the function
that answers one request. The protocol's lines are described in python-runner.ts.
"""
import json
import sys


def emit(obj):
    """One protocol line on stdout, flushed at once: the harness stamps it when it arrives."""
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def fail(kind, message, code):
    """Reports a failure ("import": the engine is not installed; "runtime": anything else) and returns the exit code."""
    emit({"event": "error", "kind": kind, "message": message})
    return code


def version_of(module_name):
    """A module's __version__ as text ("unknown" without one), or None when it does not import."""
    try:
        module = __import__(module_name, fromlist=["__version__"])
        return str(getattr(module, "__version__", "unknown"))
    except Exception:
        return None


def serve_forever(serve_one):
    """Answers one JSON request per stdin line until stdin closes. A request that fails is reported
    as an error line and the next one is served: the model stays loaded."""
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            serve_one(json.loads(line))
        except Exception as error:
            emit({"event": "error", "kind": "runtime", "message": str(error)})
    return 0


def run(usage, nargs, start, install):
    """A runner's whole life. Checks it has `nargs` arguments; `start(args)` imports the engine,
    loads the model and returns (ready, serve_one): the "ready" line's fields ("versions",
    "device") and the function that answers one request. An ImportError while starting is the
    engine missing (reported with `install`, the command that installs it); any other failure is
    the model not loading. Returns the exit code."""
    args = sys.argv[1:]
    if len(args) < nargs:
        return fail("runtime", "usage: " + usage, 2)
    try:
        ready, serve_one = start(args)
    except ImportError as error:
        return fail("import", f"{error} ({install})", 3)
    except Exception as error:
        return fail("runtime", f"cannot load {args[0]}: {error}", 4)
    emit(dict(event="ready", **ready))
    return serve_forever(serve_one)
