"""``python -m odp`` runs the CLI."""

from odp.cli import main

main()
