from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from odp.cli import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[3]
QUICKSTART = ROOT / "examples" / "quickstart.yaml"


def test_validate_ok() -> None:
    result = runner.invoke(app, ["validate", str(QUICKSTART)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_validate_errors_and_json(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nsources:\n  - name: a\n    method: file.csv.reed\n")
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:4:13" in result.output
    assert "unknown-method" in result.output
    assert "file.csv.read" in result.output

    result = runner.invoke(app, ["validate", str(bad), "--json"])
    assert result.exit_code == 1
    diagnostics = json.loads(result.stdout)
    assert {d["code"] for d in diagnostics} >= {"unknown-method", "bad-pipeline-name"}
    first = next(d for d in diagnostics if d["code"] == "unknown-method")
    assert (first["line"], first["column"], first["step"]) == (4, 13, "a")


def test_validate_stdin_and_params() -> None:
    text = QUICKSTART.read_text()
    result = runner.invoke(app, ["validate", "-", "--param", "min_quantity=3"], input=text)
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["validate", "-", "--param", "min_quantity=three"], input=text)
    assert result.exit_code == 1
    assert "invalid-param-value" in result.output
    result = runner.invoke(app, ["validate", "-", "--param", "novalue"], input=text)
    assert result.exit_code == 2
    assert "NAME=VALUE" in result.output


def _laughs() -> bytes:
    lines = ['l0: &l0 "lol"']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 10)]
    return "\n".join(lines).encode()


HOSTILE = {
    "empty": (b"", "empty-pipeline"),
    "binary": (b"\x00\xff\xfe", "not-utf8"),
    "unclosed": (b"- [", "yaml-syntax"),
    "unknown-alias": (b"a: *nope", "yaml-syntax"),
    "deep-flow": (b"name: " + b"[" * 100_000 + b"]" * 100_000, "yaml-too-deep"),
    "deep-block": ("".join(" " * i + "a:\n" for i in range(1000)).encode(), "yaml-too-deep"),
    "billion-laughs": (_laughs(), "yaml-too-complex"),
    "alias-loop": (b"a: &a [*a]", "yaml-recursive"),
    "unclosed-braces": (b"{{{{", "yaml-syntax"),
    "unquoted-template": (b"q: {{ params.q }}", "yaml-complex-key"),
    "binary-tag": (b"!!binary x", "yaml-unsupported-tag"),
    "python-tag": (b"a: !!python/object/apply:os.system [ls]", "yaml-unsupported-tag"),
    "bad-merge": (b"a: {<<: 1}", "yaml-bad-merge"),
    "two-documents": (b"name: a\n---\nname: b\n", "yaml-multiple-documents"),
    "control-character": (b"name: a\x07b", "yaml-syntax"),
    "huge-number": (b"v: " + b"9" * 5000, "yaml-bad-value"),
    "too-large": (b"# " + b"x" * (1 << 20), "file-too-large"),
    "not-a-mapping": (b"[1, 2]", "not-a-mapping"),
    "no-steps": (b"name: abc\n", "no-steps"),
}


@pytest.mark.parametrize(("content", "code"), HOSTILE.values(), ids=HOSTILE.keys())
def test_validate_hostile_files_exit_1_with_diagnostics(
    tmp_path: Path, content: bytes, code: str
) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(content)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert f"error[{code}]" in result.output.replace("\\[", "[")
    assert "✗" in result.output

    result = runner.invoke(app, ["validate", str(path), "--json"])
    assert result.exit_code == 1
    diagnostics = json.loads(result.stdout)
    assert code in [d["code"] for d in diagnostics]
    assert all(d["file"] == str(path) for d in diagnostics)


def test_validate_a_missing_file_and_a_folder(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "nope.yaml"), "--json"])
    assert result.exit_code == 1
    assert [d["code"] for d in json.loads(result.stdout)] == ["file-not-found"]
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert "is a folder" in result.output


def test_validate_reads_at_most_the_limit_from_stdin() -> None:
    result = runner.invoke(app, ["validate", "-"], input=b"# " + b"x" * (2 << 20))
    assert result.exit_code == 1
    assert "file-too-large" in result.output


def test_the_real_command_survives_what_crashed_the_yaml_library(tmp_path: Path) -> None:
    # a separate process: PyYAML's composer overflowed the C stack on this (a segfault,
    # which no try/except catches)
    path = tmp_path / "deep.yaml"
    path.write_bytes(b"a: " + b"[" * 200_000 + b"]" * 200_000)
    done = subprocess.run(
        [sys.executable, "-m", "odp", "validate", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert [d["code"] for d in json.loads(done.stdout)] == ["yaml-too-deep"]
    assert "Traceback" not in done.stderr


def test_graph() -> None:
    result = runner.invoke(app, ["graph", str(QUICKSTART)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("flowchart LR")
    assert "orders --> delivered" in result.stdout


def test_graph_of_an_invalid_pipeline(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\n")
    result = runner.invoke(app, ["graph", str(bad)])
    assert result.exit_code == 1


def test_methods_list_show_search() -> None:
    result = runner.invoke(app, ["methods", "list", "--json"])
    assert result.exit_code == 0
    ids = [m["id"] for m in json.loads(result.stdout)]
    assert "data.rows.filter" in ids

    result = runner.invoke(app, ["methods", "list", "--kind", "sink"])
    assert result.exit_code == 0
    assert "file.csv.write" in result.stdout
    assert "file.csv.read" not in result.stdout

    result = runner.invoke(app, ["methods", "show", "data.sql.query", "--json"])
    info = json.loads(result.stdout)
    assert info["id"] == "data.sql.query"
    assert "inputs" in info["params_schema"]["properties"]

    result = runner.invoke(app, ["methods", "show", "data.sql.query"])
    assert "## `data.sql.query`" in result.stdout

    result = runner.invoke(app, ["methods", "show", "data.sql.qury"])
    assert result.exit_code == 1
    assert "did you mean" in result.output

    result = runner.invoke(app, ["methods", "search", "save csv", "--json"])
    assert json.loads(result.stdout)[0]["id"] == "file.csv.write"
    result = runner.invoke(app, ["methods", "search", "file.csv.read"])
    assert "exact" in result.stdout
    result = runner.invoke(app, ["methods", "search", "zzzz"])
    assert result.exit_code == 1


def test_methods_docs(tmp_path: Path) -> None:
    out = tmp_path / "docs" / "methods.md"
    result = runner.invoke(app, ["methods", "docs", "--out", str(out)])
    assert result.exit_code == 0
    text = out.read_text()
    assert text.startswith("# ODP method reference")
    assert "## `file.csv.read`" in text
    result = runner.invoke(app, ["methods", "docs"])
    assert "## `data.rows.filter`" in result.stdout


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith("odp ")


def test_methods_docs_tables_keep_their_columns() -> None:
    result = runner.invoke(app, ["methods", "docs"])
    for line in result.stdout.splitlines():
        if line.startswith("| `"):
            cells = line.replace("\\|", "").split("|")
            assert len(cells) == 7, line  # 5 columns between 6 bars
