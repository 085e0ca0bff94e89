"""Helpers for the fault tests: real `kb` processes, private copies of data/, and what they leave.

Every test works on copies (content, concepts, index) under a temporary directory, so other
people's edits to data/ and their indexes never meet these tests' processes.
"""
from __future__ import annotations

import atexit
import ctypes
import errno
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

FULL = os.environ.get("KB_FULL") == "1"  # the long, on-demand counts
REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
STABLE_PAGE = "botulinum-treatment"  # never edited by the tests: a search for it always answers
STABLE_QUERY = "botulinum"

# What the fault tests saw, printed at the end of the run (conftest.pytest_terminal_summary).
STATS: Counter = Counter()
REPORT: list[str] = []


def kb_command() -> list[str]:
    """The installed `kb` console script (the real command), else the same entry point via -c."""
    script = Path(sys.executable).with_name("kb")
    if script.exists():
        return [str(script)]
    found = shutil.which("kb")
    if found:
        return [found]
    return [sys.executable, "-c", "import sys; from cli import main; sys.argv[0] = 'kb'; sys.exit(main())"]


def kb_env(concepts: Path, **extra: str) -> dict[str, str]:
    """The environment for a child `kb`: no KB_* from outside, the tests' own concepts."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env.update(KB_CONCEPTS=str(concepts), PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1")
    # this checkout's packages first, whatever state the editable install's finder is in
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)
    env.update(extra)
    return env


def run_kb(args, env, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*kb_command(), *map(str, args)], env=env, capture_output=True,
                          text=True, errors="backslashreplace", timeout=timeout, **kwargs)


def popen_kb(args, env, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([*kb_command(), *map(str, args)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, errors="backslashreplace", **kwargs)


def assert_clean_failure(proc, status: int, *needles: str) -> str:
    """Exit ``status`` with exactly one line on stderr, ``kb: error: ...``, and no traceback."""
    out, err = proc.stdout, proc.stderr
    assert proc.returncode == status, (proc.returncode, out, err)
    assert "Traceback" not in err and "Traceback" not in out, err
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1 and lines[0].startswith("kb: error: "), err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def copy_data(dest: Path) -> Path:
    """A copy of the repository's data/ (content and concepts)."""
    shutil.copytree(DATA, dest, symlinks=True, ignore=shutil.ignore_patterns(".*", "__pycache__"))
    return dest


# -- what the index should hold -------------------------------------------------------------
def expected_entries(root: Path, max_bytes: int = 2 * 1024 * 1024) -> dict[str, str]:
    """Entry id -> body, for every file under ``root``, by the product's own loader."""
    from kb.loader import discover, load_file

    sources, _ = discover([root])
    expected = {}
    for source in sources:
        entry, _, _ = load_file(source, max_bytes)
        if entry is not None and entry.id not in expected:
            expected[entry.id] = entry.body
    return expected


def enlarge(root: Path, copies: int, keep: tuple[str, ...] = ()) -> None:
    """More pages: ``copies`` copies of each page folder (but those in ``keep``) under their own
    page ids, so that a run is long enough for a kill to land inside it."""
    for page in sorted((root / "pages").iterdir()):
        if page.name in keep:
            continue
        for n in range(1, copies + 1):
            dest = root / "pages" / f"{page.name}-copy{n}"
            dest.mkdir()
            for source in page.glob("*.md"):
                text = source.read_text("utf-8").replace(f"page_id: {page.name}", f"page_id: {page.name}-copy{n}")
                (dest / source.name).write_text(text, "utf-8")


def indexed_entries(index_dir: Path) -> dict[str, str]:
    """Entry id -> body of every live document in the index (asserting each id is there once)."""
    import json

    from indexer import store

    _, ix = store.open_current(Path(index_dir))
    found: dict[str, str] = {}
    with ix.searcher() as searcher:
        for stored in searcher.all_stored_fields():
            assert stored["id"] not in found, f"{stored['id']!r} is in the index twice"
            found[stored["id"]] = json.loads(stored["data"])["body"]
    return found


ADDED_TEXT = {
    "ru": "Добавленная статья {n}\n\nТекст добавленной статьи номер {n} про лазер, пилинг и кожу. добавка{n}\n",
    "it": "Articolo aggiunto {n}\n\nIl testo dell'articolo {n} parla della pelle e del laser. aggiunta{n}\n",
    "gr": "Προστιθέμενο άρθρο {n}\n\nΤο κείμενο του άρθρου {n} για το δέρμα και το λέιζερ. προσθήκη{n}\n",
}


class ContentChanges:
    """Random edits, additions and deletions under a content root (never its stable page)."""

    def __init__(self, root: Path, rng: random.Random):
        self.root, self.rng = root, rng
        self.added: list[Path] = []

    def files(self) -> list[Path]:
        return sorted(p for p in self.root.rglob("*") if p.is_file() and p.suffix in (".md", ".txt")
                      and STABLE_PAGE not in p.parts)

    def change(self, n: int) -> list[str]:
        rng, done = self.rng, []
        for path in rng.sample(self.files(), k=min(len(self.files()), rng.randint(1, 4))):
            text = path.read_text("utf-8")
            edit = f"\n\nПравка {n}: проверка{n} δοκιμή{n} controllo{n}.\n"
            if "\n\nПравка " in text and rng.random() < 0.5:
                text = text.rsplit("\n\nПравка ", 1)[0]  # replace the last edit
            path.write_text(text + edit, "utf-8")
            done.append(f"edit {path.relative_to(self.root)}")
        if rng.random() < 0.5:
            lang = rng.choice(sorted(ADDED_TEXT))
            path = self.root / "articles" / f"fault-added-{n}.{lang}.txt"
            path.write_text(ADDED_TEXT[lang].format(n=n), "utf-8")
            self.added.append(path)
            done.append(f"add {path.name}")
        if rng.random() < 0.35:
            pool = self.added if self.added and rng.random() < 0.7 else self.files()
            if pool:
                path = rng.choice(pool)
                path.unlink()
                if path in self.added:
                    self.added.remove(path)
                done.append(f"delete {path.relative_to(self.root)}")
        return done


# -- processes ------------------------------------------------------------------------------
def open_paths(pid: int) -> set[str]:
    paths = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                paths.add(os.readlink(f"/proc/{pid}/fd/{fd}"))
            except OSError:
                pass
    except OSError:
        pass
    return paths


def holds_lock(pid: int, lock_file: Path) -> bool:
    """Whether ``pid`` holds a flock on ``lock_file`` (from /proc/locks)."""
    try:
        st = os.stat(lock_file)
    except OSError:
        return False
    with open("/proc/locks") as handle:
        for line in handle:  # "1: FLOCK  ADVISORY  WRITE 16610 fe:00:2148682 0 EOF"
            fields = line.split()
            if len(fields) < 6 or fields[1] != "FLOCK":  # "->" marks a waiter, not a holder
                continue
            if fields[4] == str(pid) and fields[5].rsplit(":", 1)[-1] == str(st.st_ino):
                return True
    return False


def wait_for(predicate, timeout: float, interval: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def server_rss_kib(pid: int) -> int:
    """RSS of a server and its worker processes (kb serve --workers N forks N children)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return rss_kib(pid) + sum(rss_kib(child) for child in children)


class Server:
    """`kb serve --port 0` as a real subprocess; ``url`` once it says where it listens.

    Its output is drained by threads (a full pipe must never block it); ``stop`` returns stderr.
    ``popen`` goes to subprocess.Popen (``preexec_fn=file_size_limit(...)``).
    """

    def __init__(self, index_dir: Path, env: dict, threads: int = 8, timeout: float = 180,
                 **popen):
        self.proc = popen_kb(["serve", "--port", "0", "--threads", threads, "--index", index_dir],
                             env, **popen)
        atexit.register(self.stop)  # a test that fails before stopping it leaves no server behind
        self._out: list[str] = []
        self._err: list[str] = []
        self._stopped: str | None = None
        self._drains = [threading.Thread(target=self._drain, args=(stream, sink), daemon=True)
                        for stream, sink in ((self.proc.stdout, self._out), (self.proc.stderr, self._err))]
        for drain in self._drains:
            drain.start()

        def listening():  # "Serving on http://127.0.0.1:PORT/", perhaps after "No index ...: building it"
            return next((m for line in list(self._out)
                         if (m := re.search(r"Serving on http://([\d.]+):(\d+)/", line))), None)

        wait_for(lambda: listening() or self.proc.poll() is not None, timeout, 0.05)
        match = listening()
        if not match:
            raise RuntimeError(f"kb serve did not start: {''.join(self._out)!r} {self.stop()!r}")
        self.host, self.port = match.group(1), int(match.group(2))
        self.url = f"http://{self.host}:{self.port}"

    @staticmethod
    def _drain(stream, sink: list) -> None:
        for line in stream:
            sink.append(line)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> str:
        """Stop it (SIGINT, as Ctrl-C) and return what it wrote on stderr."""
        if self._stopped is None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGINT)
                try:
                    self.proc.wait(15)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            for drain in self._drains:
                drain.join(5)
            self._stopped = "".join(self._err)
        return self._stopped

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


# -- restricted children ---------------------------------------------------------------------
def file_size_limit(limit: int):
    """preexec_fn: no file the child writes may grow past ``limit`` bytes (EFBIG, not SIGXFSZ)."""

    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2


def without_dac_override():
    """preexec_fn: root without the capabilities that ignore file modes, so chmod binds it.

    (The interpreter lives under /root here, out of reach of an unprivileged uid; dropping
    CAP_DAC_OVERRIDE from the bounding set before exec has the same effect on writes.)
    """
    libc = ctypes.CDLL(None, use_errno=True)

    def apply():
        for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
            if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")

    return apply


def can_drop_dac_override() -> bool:
    if os.geteuid() != 0:
        return True  # not root: modes already bind
    probe = subprocess.run([sys.executable, "-c", "print(open('/proc/self/status').read())"],
                           preexec_fn=without_dac_override(), capture_output=True, text=True)
    if probe.returncode != 0:
        return False
    caps = next(line for line in probe.stdout.splitlines() if line.startswith("CapEff:"))
    return not int(caps.split()[1], 16) & (1 << CAP_DAC_OVERRIDE)


def mount_tmpfs(path: Path, size: str) -> bool:
    """Mount a small tmpfs at ``path``; False when this machine does not allow it."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=755", "tmpfs", str(path)],
                          capture_output=True)
    return done.returncode == 0


def unmount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True)


def is_efbig_or_enospc(line: str) -> bool:
    return any(os.strerror(code) in line for code in (errno.EFBIG, errno.ENOSPC))
