"""consolidate: collect and consolidate children's-affairs reports."""

__version__ = "0.1.0"
