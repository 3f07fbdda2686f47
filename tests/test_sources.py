"""Sources a reader can check: every citation names a public document of docs/sources.md and a place in it.

Checked here, on the shipped files only:
- no text (YAML and CSV files with their comments, docs, README, code) points at files the reader does not
  have: research notes (`*.md` that is not in the repository), text copies of the source documents
  ("seed 000"), line numbers of such copies ("L9582-9588"), or paths outside the repository;
- every `source:` / `*_source:` / `note:` string in instances/ and every `source` string in the code uses
  only keys defined in docs/sources.md, and each `source` string cites a key, a URL or says what it is
  instead (planning default, illustrative, modelling judgement, unchecked);
- docs/sources.md defines each key once, with a title and a link.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SOURCES_MD = ROOT / "docs" / "sources.md"


FORBIDDEN = [
    (re.compile(r"\bseeds?[ _-]?0\d\d\b|\bseeds?0\d\d", re.I), "a text copy of a source document (seed nnn)"),
    (re.compile(r"(?<![\w/§.])L\d{2,}(?:\s*[-–]\s*L?\d+)?(?![\w/])"), "a line number of a file the reader does not have"),
    (re.compile(r"\b(?:time_standards|aml_rules|task_catalogue_draft|seed000_|seeds001)"), "a research note"),
    (re.compile(r"(?:\bresearch/|\bshared/(?:seeds|research)|/work/|/home/|/tmp/)"), "a path outside the repository"),
]
MD_REF = re.compile(r"[\w./-]*[\w-]\.md\b")
# a citation key looks like Name2024, Name-Name2024, NOU2023:4, HOD2025-Dok8:179S (a capital, letters, a year)
KEY_SHAPED = re.compile(r"(?<![\w-])[A-Z][\wÆØÅæøå]*(?:-[\wÆØÅæøå]+)*?\d{4}(?::\d+)?(?:-[\w:]+)?(?![\w-])")
BEFORE_PARAGRAPH = re.compile(r"(?<![\w-])([a-zæøå][\wæøå.-]*) §")
MARKERS = ("planning default", "illustrative", "modelling judgement", "unchecked", "staff file")
SOURCE_FIELD = re.compile(r"^(?:source|\w+_source)$")


def defined_keys() -> dict[str, str]:
    """key -> its table row, from the tables of docs/sources.md (first cell `KEY`)."""
    keys: dict[str, str] = {}
    for line in SOURCES_MD.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\|\s*`([^`]+)`\s*\|", line)
        if m:
            assert m.group(1) not in keys, f"key {m.group(1)} is defined twice in docs/sources.md"
            keys[m.group(1)] = line
    return keys


KEYS = defined_keys()


def rel(p: Path) -> str:
    return p.relative_to(ROOT).as_posix()


def text_files() -> list[Path]:
    files = [p for p in (ROOT / "instances").rglob("*") if p.is_file() and p.suffix in (".yaml", ".csv")]
    files += sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md", ROOT / "cli.py"]
    for d in ("planner", "models", "commands"):
        files += sorted((ROOT / d).rglob("*.py"))
    return sorted(files)


def md_exists(ref: str, where: Path) -> bool:
    name = ref.lstrip("./")
    return any((base / name).is_file() for base in (ROOT, ROOT / "docs", where.parent))


@pytest.mark.parametrize("path", text_files(), ids=rel)
def test_no_pointer_to_files_the_reader_lacks(path):
    text = path.read_text(encoding="utf-8")
    problems = []
    for n, line in enumerate(text.splitlines(), 1):
        for pattern, what in FORBIDDEN:
            for m in pattern.finditer(line):
                problems.append(f"line {n}: {m.group(0)!r} is {what}")
        for m in MD_REF.finditer(line):
            if not md_exists(m.group(0), path):
                problems.append(f"line {n}: {m.group(0)!r} is not a file of the repository")
    assert not problems, f"{rel(path)}:\n" + "\n".join(problems)


def yaml_strings(node, trail=()):
    """(field path, value) of every source-like string: `source`, `*_source`, `note`."""
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, str) and isinstance(k, str) and (SOURCE_FIELD.match(k) or k == "note"):
                yield trail + (k,), v
            else:
                yield from yaml_strings(v, trail + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from yaml_strings(v, trail + (i,))


def instance_citations() -> list[tuple[str, str, str]]:
    out = []
    for p in sorted((ROOT / "instances").rglob("*.yaml")):
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
        for trail, value in yaml_strings(data):
            out.append((f"{rel(p)}: {'.'.join(map(str, trail))}", trail[-1], value))
    return out


def code_citations() -> list[tuple[str, str, str]]:
    """`source=...` keyword arguments and `"source": ...` dict entries with a literal string in the code."""
    out = []
    for d in ("planner", "models", "commands"):
        for p in sorted((ROOT / d).rglob("*.py")):
            for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
                pairs = []
                if isinstance(node, ast.keyword) and node.arg == "source":
                    pairs.append(node.value)
                elif isinstance(node, ast.Dict):
                    pairs += [v for k, v in zip(node.keys, node.values)
                              if isinstance(k, ast.Constant) and k.value == "source"]
                for v in pairs:
                    if isinstance(v, ast.Constant) and isinstance(v.value, str) and v.value:
                        out.append((f"{rel(p)}:{v.lineno}", "source", v.value))
    return out


CITATIONS = instance_citations() + code_citations()


URL = re.compile(r"https?://\S+")


def undefined_keys(text: str) -> list[str]:
    text = URL.sub(" ", text)
    used = set(KEY_SHAPED.findall(text)) | set(BEFORE_PARAGRAPH.findall(text))
    return sorted(u for u in used if u not in KEYS)


def test_citations_were_found():
    # hand count: tasks.yaml alone has 59 tasks with a `source` and a `minutes_source` each
    assert len([c for c in CITATIONS if c[0].startswith("instances/catalogue/tasks.yaml")]) >= 118
    assert any(c[0].startswith("planner/roster/rules.py") for c in CITATIONS)


@pytest.mark.parametrize("where,field,text", CITATIONS, ids=[c[0] for c in CITATIONS])
def test_citation_uses_defined_keys(where, field, text):
    assert not undefined_keys(text), f"{where}: {text!r} uses keys not in docs/sources.md: {undefined_keys(text)}"
    if field != "note":
        cites = any(re.search(rf"(?<![\w-]){re.escape(k)}(?![\w-])", text) for k in KEYS)
        says_what = any(m in text for m in MARKERS) or "http" in text
        assert cites or says_what, (f"{where}: {text!r} cites no key of docs/sources.md and does not say it is a "
                                    f"planning default, illustrative, a modelling judgement or unchecked")


@pytest.mark.parametrize("path", sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"], ids=rel)
def test_docs_use_defined_keys(path):
    unknown = [k for k in KEY_SHAPED.findall(URL.sub(" ", path.read_text(encoding="utf-8"))) if k not in KEYS]
    assert not unknown, f"{rel(path)} uses keys not in docs/sources.md: {unknown}"


def test_every_key_has_title_and_link():
    for key, row in KEYS.items():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        assert len(cells) == 5, f"{key}: a row needs key | title | publisher | year | link"
        assert all(cells[1:]), f"{key}: empty title, publisher, year or link"


def test_key_check_catches_a_typo():
    # the checker itself: a misspelt key and an unknown law abbreviation are reported, real keys are not
    assert undefined_keys("NOU2023:5, Tabell 2.1") == ["NOU2023:5"]
    assert undefined_keys("abc § 10-8 (2)") == ["abc"]
    assert undefined_keys("NOU2023:4, kap. 9.1.1; aml § 10-8 (2); Queensland2023, s 42") == []


def forbidden_in(line: str) -> list[str]:
    return [m.group(0) for pattern, _ in FORBIDDEN for m in pattern.finditer(line)]


def test_pointer_check_catches_old_citations():
    # the citations this file replaced are caught ...
    assert forbidden_in("NOU 2023:4 (seed 000) L9582-9588") == ["seed 000", "L9582-9588"]
    assert forbidden_in("time_standards.md §3.1 H3 (L166)") == ["L166", "time_standards"]
    assert forbidden_in("aml_rules.md §2.6; research/task_catalogue_draft.yaml") == \
        ["aml_rules", "task_catalogue_draft", "research/"]
    assert not md_exists("aml_rules.md", SOURCES_MD) and md_exists("docs/sources.md", SOURCES_MD)
    # ... while care levels, mixes and the Monte Carlo seed are not
    assert forbidden_in("L1 assistent; mix L40/M40/H20; seed: 20230201  # Monte Carlo seed") == []
