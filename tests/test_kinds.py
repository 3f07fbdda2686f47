"""The registry of file kinds: one list, every kind checkable, a missing kind names them all."""

from planner.io.registry import KIND_NAMES
from planner.kinds import KINDS


def test_every_kind_name_is_registered_and_no_other():
    assert set(KINDS) == set(KIND_NAMES)
    assert len(KIND_NAMES) == len(set(KIND_NAMES))


def test_missing_kind_lists_every_kind(tmp_path, capsys):
    from conftest import run_cli

    f = tmp_path / "x.yaml"
    f.write_text("id: x\n")
    code, _, err = run_cli(["check", f], capsys)
    assert code == 2
    for k in KIND_NAMES:
        assert k in err
