import json
import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def unit_dir(tmp_path: Path) -> Path:
    """A private copy of the small test unit and its catalogue, groups and rules."""
    for f in DATA.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    return tmp_path


def pytest_configure(config) -> None:
    """Before any test module is imported: the project and every dependency it declares must be installed
    (the README's `pip install -e '.[test]'`); without them a clear message, not an import error per module."""
    from importlib import metadata

    from packaging.requirements import Requirement
    try:
        reqs = [Requirement(r) for r in metadata.requires("leon") or []]
    except metadata.PackageNotFoundError:
        pytest.exit("leon is not installed in this Python: run pip install -e '.[test]' first (README, Set-up)",
                    returncode=2)
    missing = []
    for r in reqs:
        if r.marker is not None and not r.marker.evaluate({"extra": "test"}):
            continue
        try:
            metadata.version(r.name)
        except metadata.PackageNotFoundError:
            missing.append(r.name)
    if missing:
        pytest.exit(f"not installed: {', '.join(missing)}; run pip install -e '.[test]' (README, Set-up)",
                    returncode=2)


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    import cli
    code = cli.main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def solve_json(unit: Path, tmp_path: Path, capsys, *extra) -> dict:
    out = tmp_path / "result.json"
    code, _, err = run_cli(["solve", unit, "--json", out, "--quiet", *extra], capsys)
    assert code == 0, err
    return json.loads(out.read_text())


# the `__main__` module of this test session, as it was before any test ran
_MAIN = __import__("sys").modules.get("__main__")
_MAIN_FILE = getattr(_MAIN, "__file__", None)


@pytest.fixture(autouse=True)
def _keep_main_module():
    """Streamlit's AppTest runs a page as the `__main__` module and leaves it there; a process pool
    started later (spawn) would then re-run that page script in every worker. A module-scoped fixture
    runs its page before any per-test fixture could take note of the real one, so the real one is the
    session's, taken at import; each test starts and ends with it."""
    import sys

    def reset():
        if _MAIN is not None:
            sys.modules["__main__"] = _MAIN
            if _MAIN_FILE is not None:
                _MAIN.__file__ = _MAIN_FILE
    reset()
    yield
    reset()
