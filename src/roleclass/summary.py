"""What a batch run did (rows, verdicts, errors, speed): the summary every runner returns."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from roleclass.labels import VERDICTS

FAILED_SHOWN = 10


@dataclass
class BatchSummary:
    """What a run did; ``to_text`` is what the CLI prints at the end."""

    rows: int = 0  # rows written in this run
    resumed: int = 0  # rows already in OUT that this run skipped
    verdicts: dict[str, int] = field(default_factory=lambda: dict.fromkeys((*VERDICTS, "none"), 0))
    mismatches: int = 0
    errors: int = 0
    seconds: float = 0.0
    workers: int = 1
    output: str = ""
    failed: list[tuple[int, str]] = field(default_factory=list)  # (row number, error), the first few

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    @property
    def total(self) -> int:
        """Rows in the output: written now and found done by a resume."""
        return self.rows + self.resumed

    def add(self, number: int, added: dict[str, Any], done: bool = False) -> None:
        """Count one row's outcome; ``done``: a row a resumed run found already written."""
        self.rows += not done
        if added.get("error"):
            self.errors += 1
            if len(self.failed) < FAILED_SHOWN:
                self.failed.append((number, str(added["error"])))
            return
        self.verdicts[added.get("verdict") or "none"] += 1
        self.mismatches += bool(added.get("mismatch"))

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "rows_per_second": round(self.rows_per_second, 2)}

    def to_text(self) -> str:
        verdicts = ", ".join(f"{k} {v:,}" for k, v in self.verdicts.items() if v or k != "none")
        head = (
            f"{self.rows:,} rows in {self.seconds:.1f} s ({self.rows_per_second:,.1f} rows/s, "
            f"{self.workers} worker{'s' if self.workers != 1 else ''})"
        )
        lines = [head + (f", after {self.resumed:,} rows already in the output" if self.resumed else "")]
        scope = f" (all {self.total:,} rows)" if self.resumed else ""
        lines.append(f"verdicts{scope}: {verdicts}; mismatches {self.mismatches:,}; errors {self.errors:,}")
        lines.extend(f"  row {number}: {message}" for number, message in self.failed)
        if self.errors > len(self.failed):
            lines.append(f"  … and {self.errors - len(self.failed):,} more rows with an error column")
        if self.output:
            lines.append(f"wrote {self.output}")
        return "\n".join(lines)
