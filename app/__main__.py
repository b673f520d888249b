"""``python -m app``: the CLI."""

from app.cli import main

main()
