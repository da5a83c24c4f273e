"""python -m explorer.site OUT_DIR: write the static site (see explorer/site/build.py)."""
import sys

from explorer.site.build import main

sys.exit(main())
