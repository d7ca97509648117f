"""The `eventclass` command, run as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def run_cli(*args, stdin=None, cwd=None, env_extra=None):
    env = {key: value for key, value in os.environ.items() if key != "EVENTCLASS_MODEL"}
    env.update({"HF_HUB_OFFLINE": "1", **(env_extra or {})})
    return subprocess.run(
        [sys.executable, "-m", "eventclass", *args], input=stdin, capture_output=True, text=True, cwd=cwd, env=env, timeout=600
    )


def test_classify_arguments_print_json_lines(tmp_path):
    result = run_cli("classify", "--zero-shot", "Drones hit the base.", "The EU froze the assets of five generals.", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["label"] for line in lines] == ["attack", "sanction"]
    assert all(line["mode"] == "zero-shot" for line in lines)


def test_classify_reads_stdin_when_no_text(tmp_path):
    result = run_cli("classify", "--zero-shot", stdin="Drones hit the base.\n\nIt rained in Paris.\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["text"] for line in lines] == ["Drones hit the base.", "It rained in Paris."]


def test_info_reports_mode_and_thresholds(tmp_path):
    result = run_cli("info", "--zero-shot", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["mode"] == "zero-shot" and len(info["thresholds"]) == 5


def test_broken_model_is_a_one_line_error_not_a_traceback(tmp_path):
    (tmp_path / "broken").mkdir()
    result = run_cli("classify", "--model", str(tmp_path / "broken"), "x", cwd=tmp_path)
    assert result.returncode == 1
    assert "config.json" in result.stderr and "Traceback" not in result.stderr
