"""``python3 -m consolidate``: the same as the ``consolidate`` command."""

from consolidate.cli import main

if __name__ == "__main__":
    main(prog_name="consolidate")
