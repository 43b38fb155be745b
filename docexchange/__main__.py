import sys

from docexchange.cli import main

sys.exit(main())
