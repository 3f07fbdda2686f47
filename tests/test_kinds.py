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


def test_kind_that_is_not_a_name_is_an_input_error(tmp_path, capsys):
    from conftest import run_cli

    for bad in ("[x]", "{}", "3"):
        f = tmp_path / "x.yaml"
        f.write_text(f"kind: {bad}\n")
        code, _, err = run_cli(["check", f], capsys)
        assert code == 2 and "kind" in err, err


def test_recording_reads_yields_the_set_it_fills(tmp_path):
    from planner.io.registry import note_read, recording_reads

    with recording_reads() as reads:
        note_read(tmp_path / "a.yaml")
        assert reads == {(tmp_path / "a.yaml").resolve()}
