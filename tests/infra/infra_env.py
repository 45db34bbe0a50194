"""Environment helpers for tests that start the project's own processes (no pytest imports)."""
import ast
import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WHOLE_ENVIRONMENT = "*"  # a read without a literal name: a copy, a loop, a name in a variable


def environment_reads(path):
    """[(line, name)] for every read of os.environ / os.getenv in the Python file *path*;
    name is the variable's literal name, else WHOLE_ENVIRONMENT. env_bool("X") counts as a
    read of X (iondb/settings.py's helper)."""
    tree = ast.parse(Path(path).read_text(), str(path))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}

    def literal(node):
        return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else WHOLE_ENVIRONMENT

    reads = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "os":
            reads += [(node.lineno, WHOLE_ENVIRONMENT) for a in node.names if a.name in ("environ", "getenv")]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "env_bool":
            reads.append((node.lineno, literal(node.args[0]) if node.args else WHOLE_ENVIRONMENT))
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "os":
            if node.attr == "getenv":
                call = parents.get(node)
                reads.append((node.lineno, literal(call.args[0]) if isinstance(call, ast.Call) and call.args
                               else WHOLE_ENVIRONMENT))
            elif node.attr == "environ":
                reads.append((node.lineno, _environ_name(node, parents, literal)))
    return sorted(reads)


def _environ_name(node, parents, literal):
    parent = parents.get(node)
    if isinstance(parent, ast.Subscript):
        return literal(parent.slice)
    if isinstance(parent, ast.Attribute) and parent.attr in ("get", "setdefault", "pop"):
        call = parents.get(parent)
        return literal(call.args[0]) if isinstance(call, ast.Call) and call.args else WHOLE_ENVIRONMENT
    if isinstance(parent, ast.Compare) and parent.comparators and parent.comparators[0] is node:
        return literal(parent.left)  # "NAME" in os.environ
    return WHOLE_ENVIRONMENT


def settings_env_names():
    """The environment variables iondb/settings.py parses."""
    return {name for _, name in environment_reads(ROOT / "iondb" / "settings.py") if name != WHOLE_ENVIRONMENT}


# Everything settings.py reads (and the API address jobs get), so a subprocess starts from a
# known environment.
SETTINGS_ENV = sorted(settings_env_names() | {"ION_API_URL"})


def clean_env(**overrides):
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests' fixture for their own process only.
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_ENV and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env["DJANGO_SETTINGS_MODULE"] = "iondb.settings"
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def stop(proc, sig=signal.SIGTERM, timeout=20):
    """Stop a child process politely (``sig``), then with SIGKILL after ``timeout`` s."""
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def start_celery_worker(queue, env, log):
    """A real ``celery -A iondb worker`` (one process, --pool=solo) consuming only ``queue``;
    other test runs may share the Redis server, so each worker gets a queue of its own."""
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "iondb", "worker", "--pool=solo", "-Q", queue, "-n", f"{queue}@%h",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
        cwd=str(ROOT), env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
