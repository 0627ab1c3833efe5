"""The Word report templates shipped with consolidate, installed as ``consolidate.templates``."""
