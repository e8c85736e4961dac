"""Assertions shared by the CLI error tests."""

from __future__ import annotations


def assert_one_line_error(result, code: int, *words: str) -> None:
    """Exit code, one line on stderr starting 'roleclass: error:', naming the problem."""
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("roleclass: error: "), result.stderr
    for word in words:
        assert word in lines[0], lines[0]
