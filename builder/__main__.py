"""`python -m builder` is `bulletin`."""

import sys

from .cli import main

sys.exit(main())
