from goexplint.cli import main

raise SystemExit(main())
