"""``python -m checkoutsim.validation`` (``make validate``): run every case, write the report."""

import sys

from checkoutsim.validation.document import main

sys.exit(main())
