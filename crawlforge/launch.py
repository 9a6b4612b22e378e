"""Entry point for launchers that call a Python function and judge it by exceptions, not return values.

A Databricks ``python_wheel_task`` (``entry_point: crawlforge-task``) imports the entry point and calls it;
a returned exit code would be ignored, so a failed job must leave with ``SystemExit(code)`` instead. Same
arguments as the ``crawlforge`` command: the job name, then the job's own arguments.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from crawlforge.jobs.cli import main as cli_main


def main(argv: Sequence[str] | None = None) -> None:
    code = cli_main(argv)
    if code:
        raise SystemExit(code)


if __name__ == "__main__":
    main(sys.argv[1:])
