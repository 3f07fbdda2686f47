"""The output guard: no command writes over a file it read (directly or through another file), over a
folder, device or pipe, to an empty path, into a missing folder or a folder it cannot write.
Every refusal exits 2 with a fix and no traceback, before any solve, and leaves the target as it was."""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
from pathlib import Path

import pytest

import commands.national
from conftest import ROOT, run_cli
from test_national import toy_national

INSTANCES = ROOT / "instances"


def refused(capsys, argv, *words) -> str:
    code, out, err = run_cli(argv, capsys)
    assert code == 2, (code, out, err)
    assert "fix:" in err and "Traceback" not in err
    for w in words:
        assert w in err, (w, err)
    return err


@pytest.fixture
def shipped(tmp_path) -> Path:
    """A private copy of the shipped units, catalogue, rules, staff and rosters (tests never write instances/)."""
    for d in ("units", "catalogue", "rules", "staff", "rosters"):
        shutil.copytree(INSTANCES / d, tmp_path / "instances" / d)
    return tmp_path / "instances"


def roster_check(inst: Path, *extra) -> list:
    return ["roster", "check", inst / "rosters" / "sykehjem_6uker.csv", "--unit", inst / "units" / "sykehjem.yaml",
            "--staff", inst / "staff" / "sykehjem.yaml", *extra]


# ------------------------------------------------------------------------------- files the run read
@pytest.mark.parametrize("option,target", [
    ("--json", "catalogue/tasks.yaml"),    # read through the unit, never named on the command line
    ("--json", "rules/sykehjem.yaml"),     # the unit's rules file
    ("--json", "rules/ks.yaml"),           # the worktime rules, named by the staff file
    ("--picture", "catalogue/groups.yaml"),  # read through the catalogue
])
def test_roster_check_refuses_files_it_read(shipped, capsys, option, target):
    before = (shipped / target).read_bytes()
    refused(capsys, roster_check(shipped, option, shipped / target), option, "input file")
    assert (shipped / target).read_bytes() == before


def test_roster_build_refuses_the_catalogue_before_building(shipped, tmp_path, capsys):
    cat = shipped / "catalogue" / "tasks.yaml"
    before = cat.read_bytes()
    out = tmp_path / "r.csv"
    refused(capsys, ["roster", "build", "--unit", shipped / "units" / "sykehjem.yaml", "--staff",
                     shipped / "staff" / "sykehjem.yaml", "--out", out, "--json", cat], "--json", "input file")
    assert cat.read_bytes() == before
    assert not out.exists()  # refused before the build: no roster written


@pytest.mark.parametrize("name", ["rules.yaml", "catalogue.yaml"])
def test_solve_refuses_files_read_through_the_unit(unit_dir, capsys, name):
    before = (unit_dir / name).read_bytes()
    refused(capsys, ["solve", unit_dir / "unit.yaml", "--json", unit_dir / name], "--json", "input file")
    assert (unit_dir / name).read_bytes() == before


@pytest.mark.parametrize("how", ["symlink", "hardlink"])
def test_links_to_an_input_count_as_the_input(unit_dir, tmp_path, capsys, how):
    link = tmp_path / "out.json"
    (os.symlink if how == "symlink" else os.link)(unit_dir / "groups.yaml", link)
    before = (unit_dir / "groups.yaml").read_bytes()
    refused(capsys, ["solve", unit_dir / "unit.yaml", "--xlsx", link], "--xlsx", "input file")
    assert (unit_dir / "groups.yaml").read_bytes() == before
    assert link.is_symlink() == (how == "symlink")


# ---------------------------------------------------------------------------- paths that are no file
def test_link_to_dev_null_is_refused(unit_dir, tmp_path, capsys):
    # through a link in tmp_path: the guard follows it and finds a device; were the guard ever broken,
    # the write would replace only the link, never the device itself
    link = tmp_path / "null.json"
    link.symlink_to(os.devnull)
    refused(capsys, ["solve", unit_dir / "unit.yaml", "--json", link], "--json", "device")
    assert link.is_symlink()


def test_device_node_is_refused_and_stays_a_device(unit_dir, tmp_path, capsys):
    dev = tmp_path / "null"
    try:
        os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))   # a second node of the null device
    except PermissionError:
        pytest.skip("making a device node needs root")
    refused(capsys, ["solve", unit_dir / "unit.yaml", "--json", dev], "--json", "device")
    assert stat.S_ISCHR(os.stat(dev).st_mode)


def test_fifo_is_refused(unit_dir, tmp_path, capsys):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    refused(capsys, ["solve", unit_dir / "unit.yaml", "--xlsx", fifo], "--xlsx", "FIFO")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_folder_is_refused(unit_dir, tmp_path, capsys):
    (tmp_path / "d").mkdir()
    refused(capsys, ["solve", unit_dir / "unit.yaml", "--png", tmp_path / "d"], "--png", "folder")
    assert (tmp_path / "d").is_dir()
    refused(capsys, ["solve", unit_dir / "unit.yaml", "--json", f"{tmp_path / 'new'}/"], "--json", "folder")


def test_empty_path_is_refused(unit_dir, capsys):
    refused(capsys, ["solve", unit_dir / "unit.yaml", "--json", ""], "--json", "empty")


def test_missing_folder_is_refused_with_the_mkdir_fix(unit_dir, tmp_path, capsys):
    err = refused(capsys, ["solve", unit_dir / "unit.yaml", "--json", tmp_path / "no" / "r.json"], "--json")
    assert "does not exist" in err and f"mkdir -p {tmp_path / 'no'}" in err
    assert not (tmp_path / "no").exists()


@pytest.mark.skipif(not Path("/sys").is_dir(), reason="no /sys")
def test_folder_that_cannot_be_written_is_refused(unit_dir, capsys):
    # the kernel refuses new files in /sys, even to root; the guard's probe finds out before the solve
    refused(capsys, ["solve", unit_dir / "unit.yaml", "--json", "/sys/leon-test.json"], "--json", "cannot write")
    assert not Path("/sys/leon-test.json").exists()


def test_two_options_on_one_path(unit_dir, tmp_path, capsys):
    refused(capsys, ["solve", unit_dir / "unit.yaml", "--json", tmp_path / "x", "--xlsx", tmp_path / "x"],
            "also the path of --json")


# ------------------------------------------------------------------------------------ the writer
def test_write_time_check_sees_files_read_after_the_start(tmp_path):
    from planner.io.errors import InputError
    from planner.io.registry import note_read, recording_reads
    from planner.io.writer import write_json

    f = tmp_path / "in.yaml"
    f.write_text("kind: unit\n")
    with recording_reads():
        write_json(tmp_path / "ok.json", {"a": 1})   # nothing read yet: allowed
        note_read(f)
        with pytest.raises(InputError, match="input file"):
            write_json(f, {"a": 1})
    assert f.read_text() == "kind: unit\n"
    assert json.loads((tmp_path / "ok.json").read_text()) == {"a": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.yaml", "ok.json"]  # no temporary files left


def test_failed_writer_keeps_the_old_file_and_no_temporary(tmp_path):
    from planner.io.writer import atomic_path

    out = tmp_path / "r.json"
    out.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(out) as tmp:
        tmp.write_text("half")
        raise RuntimeError("writer failed")
    assert out.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_os_error_while_writing_is_an_input_error(tmp_path, monkeypatch):
    from planner.io.errors import InputError
    from planner.io.writer import write_text

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(InputError) as e:
        write_text(tmp_path / "r.txt", "x")
    assert "No space left on device" in str(e.value) and "fix:" in str(e.value)
    assert not list(tmp_path.iterdir())


# ------------------------------------------------------------------------------------- national --out
def _national(capsys, *argv) -> tuple[int, str]:
    rc = commands.national.main(["national", "run", *map(str, argv), "--no-progress", "--workers", "0"])
    return rc, capsys.readouterr().err


def test_national_out_never_replaces_a_folder(tmp_path, capsys):
    out = tmp_path / "o"
    (out / "report.xlsx").mkdir(parents=True)   # a folder where the run would put a file
    rc, err = _national(capsys, toy_national(tmp_path), "--out", out, "--cache", tmp_path / "c")
    assert rc == 2 and "report.xlsx" in err and "folder" in err and "fix:" in err
    assert (out / "report.xlsx").is_dir()
    assert not (tmp_path / "c").exists()          # refused before any unit was solved


def test_national_out_never_writes_over_a_file_it_read(tmp_path, capsys):
    out = tmp_path / "o"
    out.mkdir()
    national = toy_national(out).rename(out / "summary.json")   # the national file, where summary.json goes
    before = national.read_bytes()
    rc, err = _national(capsys, national, "--out", out, "--no-cache")
    assert rc == 2 and "input file" in err and "fix:" in err
    assert national.read_bytes() == before


@pytest.mark.parametrize("what", ["empty", "device"])
def test_national_out_must_be_a_folder(tmp_path, capsys, monkeypatch, what):
    monkeypatch.chdir(tmp_path)   # an empty --out once meant the current folder: keep that in tmp_path
    out = ""
    if what == "device":
        out = tmp_path / "null"
        out.symlink_to(os.devnull)    # a link in tmp_path, so nothing could ever touch the device itself
    rc, err = _national(capsys, toy_national(tmp_path), "--out", out, "--no-cache")
    assert rc == 2 and "--out" in err and "fix:" in err and "Traceback" not in err
    assert not (tmp_path / "summary.json").exists()
