"""`python -m shortlinks web | worker | admin TASK [options]`."""

import sys

from shortlinks.main import main

main(sys.argv[1:])
