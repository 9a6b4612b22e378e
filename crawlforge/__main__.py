"""``python -m crawlforge <job> ...`` is the same as the ``crawlforge`` console script."""

import sys

from crawlforge.jobs.cli import main


if __name__ == "__main__":
    sys.exit(main())
