"""``python -m viz``: the ``stepgrad`` command, for when the console script is not on PATH."""

import sys

from viz.cli import main

sys.exit(main())
