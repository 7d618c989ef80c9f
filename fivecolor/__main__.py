from fivecolor.cli import main

raise SystemExit(main())
