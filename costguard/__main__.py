import sys

from costguard.cli import main

sys.exit(main())
