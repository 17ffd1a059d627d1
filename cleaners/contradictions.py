"""Moved to :mod:`cleaners.flags`; this name stays as a thin re-export for old imports."""

from cleaners.flags import flag_document, flag_documents, load_lexicon

__all__ = ["flag_document", "flag_documents", "load_lexicon"]
