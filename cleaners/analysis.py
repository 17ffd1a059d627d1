"""Reading the output as an analyst does: DuckDB views over the current view (or an earlier run).

DuckDB reads Delta tables with its ``delta`` extension, which it downloads on first use. Where
that is not possible (no network, locked-down machines), :func:`duckdb_connection` gives the
same tables through Arrow datasets: each view is the table's current state (or the state a given
run left), scanned lazily from the Parquet files its Delta log names, so nothing is counted twice
and nothing is loaded whole.
"""

from __future__ import annotations

from typing import Any

from cleaners import output, schemas, storage


def duckdb_connection(output_dir: Any, run: str | None = None, connection: Any = None) -> Any:
    """A DuckDB connection with views ``documents``, ``lines``, ``rejects``, ``flags`` and ``runs``.

    ``run`` (a run id or attempt, as ``textwash runs`` lists them) shows the tables as that run
    left them; by default the current view.
    """
    import duckdb

    connection = connection or duckdb.connect()
    place = storage.location(output_dir)
    for table in output.TABLES:
        version = output.table_version(place, table, run)
        delta = output.open_table(place, table, version) if version is not None else None
        data = (delta.to_pyarrow_dataset() if delta is not None
                else schemas.empty(output.committed_schema(table)).to_arrow())
        connection.register(table, data)
    connection.register("runs", output.run_rows(place).drop("manifest").to_arrow())
    return connection
