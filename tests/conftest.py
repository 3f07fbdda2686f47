import json
import shutil
from pathlib import Path

import pytest

import cli

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def unit_dir(tmp_path: Path) -> Path:
    """A private copy of the small test unit and its catalogue, groups and rules."""
    for f in DATA.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    return tmp_path


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def solve_json(unit: Path, tmp_path: Path, capsys, *extra) -> dict:
    out = tmp_path / "result.json"
    code, _, err = run_cli(["solve", unit, "--json", out, "--quiet", *extra], capsys)
    assert code == 0, err
    return json.loads(out.read_text())


@pytest.fixture(autouse=True)
def _keep_main_module():
    """Streamlit's AppTest runs a page as the `__main__` module and leaves it there; a process pool
    started later (spawn) would then re-run that page script in every worker. Put the real one back."""
    import sys

    main = sys.modules.get("__main__")
    main_file = getattr(main, "__file__", None)
    yield
    if main is not None:
        sys.modules["__main__"] = main
        if main_file is not None:
            main.__file__ = main_file
