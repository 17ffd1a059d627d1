"""textwash's library: pure, Prefect-free steps over polars frames.

One module per step, in the order a run applies them:

- :mod:`cleaners.decoding` turns bytes into text (UTF-8, else cp1252 / latin-1) or says why not;
- :mod:`cleaners.ingest` reads a folder of documents into a ``documents`` frame and a ``rejects``
  frame;
- :mod:`cleaners.lines` splits documents into lines (one line = one paragraph);
- :mod:`cleaners.normalise` repairs each line with ftfy (only the lines that need it) and tidies
  whitespace, recording which fixes changed it;
- :mod:`cleaners.output` writes the tables as Hive-partitioned Parquet, atomically, with a manifest.

:mod:`cleaners.pipeline` chains them for one shard of input files; :mod:`flows` runs shards as
Prefect tasks.
"""

__version__ = "0.1.0"

#: Version of the output tables' layout (``docs/SCHEMA.md``). Bump the minor number when a column
#: is added, the major number when one is renamed, removed or changes meaning.
SCHEMA_VERSION = "2.2"
