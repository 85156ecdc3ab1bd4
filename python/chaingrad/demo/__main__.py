"""``python -m chaingrad.demo [--seeds]``."""

from __future__ import annotations

import argparse


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m chaingrad.demo")
    parser.add_argument("--seeds", action="store_true",
                        help="walk through the seed documents' examples")
    args, _ = parser.parse_known_args(argv)
    from . import seeds

    seeds.main()


if __name__ == "__main__":
    main()
