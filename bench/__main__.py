from bench.run import main

if __name__ == "__main__":  # not when a spawned bench worker re-imports the main module
    raise SystemExit(main())
