from __future__ import annotations

import sys

from pinaudit._cli import main

sys.exit(main())
