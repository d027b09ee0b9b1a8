"""``python -m autograd_lite ...``: the same command line as the ``autograd-lite`` script."""

from .cli import main

raise SystemExit(main())
