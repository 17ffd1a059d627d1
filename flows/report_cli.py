"""``textwash report``: write a committed run's HTML report (:mod:`cleaners.html_report`)."""

from __future__ import annotations

import sys

from cleaners.document_view import NoRun, run_tables
from cleaners.html_report import collect, render, write_report


def report_command(output_dir: str, run_id: str | None = None, target: str | None = None) -> int:
    """Write the report of the latest run (or ``run_id``) to ``target`` (default
    ``OUTPUT_DIR/reports/<run_id>.html``; ``-`` prints it) and print where it went."""
    try:
        if target == "-":
            sys.stdout.write(render(collect(run_tables(output_dir, run_id))))
            return 0
        place = write_report(output_dir, run_id, target)
    except NoRun as error:
        print(f"textwash: {error} (`textwash runs {output_dir}` lists them)", file=sys.stderr)
        return 1
    except OSError as error:  # -o names a folder, or a place that cannot be written
        print(f"textwash: cannot write the report to {target or 'the output folder'}: "
              f"{error.strerror or error}", file=sys.stderr)
        return 2
    print(place)
    return 0

