"""The form specs shipped with consolidate, installed as the package ``consolidate.specs``."""
