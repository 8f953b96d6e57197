import sys

from twelve.cli import main

sys.exit(main())
