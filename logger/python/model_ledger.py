"""Model Ledger run logger: writes a ``*.mlrun.jsonl`` run log (see docs/run-log-format.md).

One file, Python >= 3.8, standard library only: copy it next to your training script.

    import model_ledger

    with model_ledger.start_run(name="baseline", experiment="mnist") as run:
        run.log_params({"lr": 1e-3, "batch_size": 64})
        for step in range(100):
            run.log(step=step, loss=..., acc=...)

Every record is one ``os.write`` of a complete line on an ``O_APPEND`` descriptor, so the file is
readable while it grows and survives the process being killed at any moment.
"""

import atexit
import getpass
import json
import math
import os
import re
import sys
import threading
import time
import uuid

__all__ = ["start_run", "resume_run", "Run", "FORMAT", "FORMAT_VERSION"]

FORMAT = "model-ledger-run"
FORMAT_VERSION = 1
_LOGGER_ID = "model_ledger.py/1"
_END_STATUSES = ("FINISHED", "FAILED", "KILLED")
_MAX_ERROR_CHARS = 1000


def start_run(name=None, experiment=None, dir=None, path=None, fsync=False, exit_hook=True):
    """Creates a new run log and writes its header.

    The file is ``<dir>/<experiment>/<name>-<id8>.mlrun.jsonl``; ``dir`` defaults to
    ``$MODEL_LEDGER_DIR`` or ``runs`` (relative to the working directory). ``path`` names the file
    exactly instead. ``fsync=True`` forces every record to disk (slower; see the format doc).
    """
    experiment = "Default" if experiment is None or str(experiment) == "" else str(experiment)
    name = _default_run_name() if name is None or str(name) == "" else str(name)
    started = _now_ms()
    for _attempt in range(100):
        run_id = uuid.uuid4().hex
        file_path = path
        if file_path is None:
            base = dir if dir is not None else os.environ.get("MODEL_LEDGER_DIR") or "runs"
            file_path = os.path.join(
                str(base), _safe_file_part(experiment), "%s-%s.mlrun.jsonl" % (_safe_file_part(name), run_id[:8])
            )
        parent = os.path.dirname(os.path.abspath(file_path))
        os.makedirs(parent, exist_ok=True)
        try:
            # O_EXCL: two processes starting runs with the same name never share a file.
            fd = os.open(file_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o644)
        except FileExistsError:
            if path is not None:
                raise
            continue
        # run_id within the first 64 bytes: readers that detect a replaced file by its first bytes
        # (Model Ledger's tail reader does) can then tell two run logs apart.
        header = {
            "type": "header",
            "run_id": run_id,
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "name": name,
            "experiment": experiment,
            "time": started,
            "start_time": started,
        }
        user = _login_name()
        if user:
            header["user"] = user
        commit = _git_commit(os.getcwd())
        if commit:
            header["git_commit"] = commit
        header["logger"] = _LOGGER_ID
        run = Run(fd, file_path, run_id, name, experiment, fsync, exit_hook)
        run._write(header, force_fsync=True)
        return run
    raise FileExistsError("could not find a free run file name in %s" % os.path.dirname(file_path))


def resume_run(path, fsync=False, exit_hook=True):
    """Appends to an existing run log (e.g. after a restart): marks the run RUNNING again.

    A half-written last line left by a crash is ended first, so that readers report only that line.
    Steps are not read back from the file: pass ``step=`` explicitly to continue the numbering.
    """
    with open(path, "rb") as existing:
        first_line = existing.readline()
        existing.seek(0, os.SEEK_END)
        size = existing.tell()
        last_byte = b"\n"
        if size > 0:
            existing.seek(size - 1)
            last_byte = existing.read(1)
    try:
        header = json.loads(first_line.decode("utf-8"))
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("type") != "header":
        raise ValueError("%s does not start with a Model Ledger run header" % path)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | _O_BINARY)
    run = Run(
        fd,
        path,
        str(header.get("run_id", "")),
        str(header.get("name", "")),
        str(header.get("experiment", "Default")),
        fsync,
        exit_hook,
    )
    if last_byte != b"\n":
        _write_all(fd, b"\n")
    run._write({"type": "status", "time": _now_ms(), "status": "RUNNING"})
    return run


class Run(object):
    """An open run log. Thread-safe; every method writes one record."""

    def __init__(self, fd, path, run_id, name, experiment, fsync, exit_hook):
        self.path = path
        self.run_id = run_id
        self.name = name
        self.experiment = experiment
        self._fd = fd
        self._fsync = bool(fsync)
        self._lock = threading.Lock()
        self._finished = False
        self._next_step = 0
        self._pid = os.getpid()
        if exit_hook:
            _register_for_exit_hook(self)

    @property
    def finished(self):
        return self._finished

    def log_params(self, params):
        """Logs several params; values are stored as text (``str()``, dicts/lists as JSON)."""
        self._write({"type": "params", "time": _now_ms(), "params": _text_values(params)})

    def log_param(self, key, value):
        self.log_params({key: value})

    def set_tags(self, tags):
        self._write({"type": "tags", "time": _now_ms(), "tags": _text_values(tags)})

    def set_tag(self, key, value):
        self.set_tags({key: value})

    def log(self, step=None, **metrics):
        """Logs one point per metric at ``step`` (default: the previous step + 1, from 0).

        ``run.log(step=3, loss=0.5, acc=0.9)``; for keys that are not Python names use
        :meth:`log_metrics`. Values are numbers; NaN and infinities are kept.
        """
        self.log_metrics(metrics, step=step)

    def log_metrics(self, metrics, step=None):
        values = {}
        for key, value in metrics.items():
            values[str(key)] = _metric_value(key, value)
        with self._lock:
            if step is None:
                step = self._next_step
            elif isinstance(step, bool) or not isinstance(step, int):
                try:
                    integral = int(step)
                except (TypeError, ValueError, OverflowError):
                    integral = None
                if integral is None or isinstance(step, bool) or integral != step:
                    raise TypeError("step must be an integer, got %r" % (step,))
                step = integral
            self._next_step = step + 1
            self._write_locked({"type": "metrics", "time": _now_ms(), "step": step, "values": values})

    def finish(self, status="FINISHED", error=None):
        """Writes the end record and closes the file. A second call does nothing."""
        if status not in _END_STATUSES:
            raise ValueError("status must be one of %s, got %r" % (", ".join(_END_STATUSES), status))
        with self._lock:
            if self._finished:
                return
            record = {"type": "end", "time": _now_ms(), "status": status}
            if error:
                record["error"] = str(error)[:_MAX_ERROR_CHARS]
            try:
                self._write_locked(record, force_fsync=True)
            finally:
                self._finished = True
                _unregister_from_exit_hook(self)
                os.close(self._fd)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, _traceback):
        if exc_type is None:
            self.finish("FINISHED")
        elif issubclass(exc_type, KeyboardInterrupt):
            self.finish("KILLED", _describe(exc_value))
        elif issubclass(exc_type, SystemExit) and exc_value.code in (None, 0):
            self.finish("FINISHED")
        else:
            self.finish("FAILED", _describe(exc_value))
        return False

    def _write(self, record, force_fsync=False):
        with self._lock:
            self._write_locked(record, force_fsync)

    def _write_locked(self, record, force_fsync=False):
        if self._finished:
            raise RuntimeError("run %s is already finished" % self.run_id)
        _write_all(self._fd, _encode_line(record))
        if self._fsync or force_fsync:
            os.fsync(self._fd)


# --- encoding -------------------------------------------------------------------------------

_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows would otherwise translate "\n"


def _encode_line(record):
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    try:
        return (text + "\n").encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates (e.g. from undecodable file names) are not UTF-8: escape them instead.
        return (json.dumps(record, ensure_ascii=True, separators=(",", ":"), allow_nan=False) + "\n").encode("ascii")


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _metric_value(key, value):
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TypeError("metric %r must be a number, got %r" % (key, value))
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    return number


def _text_values(mapping):
    if not hasattr(mapping, "items"):
        raise TypeError("expected a dict, got %r" % (mapping,))
    return {str(key): _as_text(value) for key, value in mapping.items()}


def _as_text(value):
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list, tuple)):
        try:
            return json.dumps(value, ensure_ascii=False, default=str)
        except ValueError:
            return str(value)
    return str(value)


def _describe(exc):
    if exc is None:
        return None
    message = str(exc)
    return "%s: %s" % (type(exc).__name__, message) if message else type(exc).__name__


def _now_ms():
    return int(time.time() * 1000)


def _default_run_name():
    return time.strftime("run-%Y%m%d-%H%M%S")


_UNSAFE_FILE_CHARS = re.compile(r"[^\w.\-]+", re.UNICODE)


def _safe_file_part(text):
    safe = _UNSAFE_FILE_CHARS.sub("_", text).strip("._")[:60]
    return safe or "run"


# --- environment ----------------------------------------------------------------------------


def _login_name():
    try:
        return getpass.getuser()
    except Exception:  # no login name in containers without a passwd entry: leave it out
        return None


_HEX_COMMIT = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


def _git_commit(start):
    """The checked-out commit, from .git/HEAD and the ref it names; None when not cheaply known."""
    try:
        git_dir = _find_git_dir(start)
        if git_dir is None:
            return None
        common_dir = git_dir
        commondir_file = os.path.join(git_dir, "commondir")
        if os.path.isfile(commondir_file):
            with open(commondir_file, "r", encoding="utf-8") as handle:
                common_dir = os.path.normpath(os.path.join(git_dir, handle.read().strip()))
        with open(os.path.join(git_dir, "HEAD"), "r", encoding="utf-8") as handle:
            head = handle.read().strip()
        if not head.startswith("ref:"):
            return head if _HEX_COMMIT.match(head) else None
        ref = head[4:].strip()
        for directory in (git_dir, common_dir):
            loose = os.path.join(directory, *ref.split("/"))
            if os.path.isfile(loose):
                with open(loose, "r", encoding="utf-8") as handle:
                    value = handle.read().strip()
                return value if _HEX_COMMIT.match(value) else None
        packed = os.path.join(common_dir, "packed-refs")
        if os.path.isfile(packed):
            with open(packed, "r", encoding="utf-8") as handle:
                for line in handle:
                    parts = line.strip().split(" ")
                    if len(parts) == 2 and parts[1] == ref and _HEX_COMMIT.match(parts[0]):
                        return parts[0]
    except (OSError, ValueError):
        pass
    return None


def _find_git_dir(start):
    directory = os.path.abspath(start)
    while True:
        candidate = os.path.join(directory, ".git")
        if os.path.isdir(candidate):
            return candidate
        if os.path.isfile(candidate):
            # Worktrees and submodules: ".git" is a file "gitdir: <path>".
            with open(candidate, "r", encoding="utf-8") as handle:
                content = handle.read().strip()
            if content.startswith("gitdir:"):
                return os.path.normpath(os.path.join(directory, content[7:].strip()))
            return None
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


# --- exit hook ------------------------------------------------------------------------------

_open_runs = []
_open_runs_lock = threading.Lock()
_hook_installed = False
_uncaught = []  # the exception that is ending the interpreter, when there is one


def _register_for_exit_hook(run):
    global _hook_installed
    with _open_runs_lock:
        _open_runs.append(run)
        if not _hook_installed:
            _hook_installed = True
            previous_hook = sys.excepthook

            def remember_uncaught(exc_type, exc_value, exc_traceback):
                _uncaught.append(exc_value)
                previous_hook(exc_type, exc_value, exc_traceback)

            sys.excepthook = remember_uncaught
            atexit.register(_finish_open_runs)


def _unregister_from_exit_hook(run):
    with _open_runs_lock:
        if run in _open_runs:
            _open_runs.remove(run)


def _finish_open_runs():
    with _open_runs_lock:
        runs = list(_open_runs)
    if _uncaught:
        exc = _uncaught[-1]
        status = "KILLED" if isinstance(exc, KeyboardInterrupt) else "FAILED"
        error = _describe(exc)
    else:
        status, error = "FINISHED", None
    for run in runs:
        if run._pid != os.getpid():
            continue  # a forked child exiting: the run belongs to the parent, which is still going
        try:
            run.finish(status, error)
        except Exception:  # the interpreter is going away: a failed write must not hide the real exit
            pass
