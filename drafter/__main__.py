"""``python -m drafter`` runs the CLI, for environments without the console script."""

from drafter.cli import main

main()
