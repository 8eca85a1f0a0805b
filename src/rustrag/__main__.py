"""`python -m rustrag`: the same command line as the `rustrag` console script."""

from rustrag.cli import main

main()
