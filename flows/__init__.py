"""textwash's Prefect flows: thin tasks around :mod:`cleaners`, plus the ``textwash`` CLI."""
