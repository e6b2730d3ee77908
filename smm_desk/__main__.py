from smm_desk.cli.main import main

raise SystemExit(main())
