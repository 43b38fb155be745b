"""`python -m docexchange`. Guarded: the inspection pool's worker processes import the main
module of the hub (as ``__mp_main__``) and must not run the command line again."""

import sys

from docexchange.cli import main

if __name__ == "__main__":
    sys.exit(main())
