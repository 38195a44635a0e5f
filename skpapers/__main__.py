"""Command line: ``python -m skpapers reproduce [SLUG ...] [--quick] [--out DIR] [--check]``."""

import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m skpapers",
        description="skpapers command line.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    reproduce = commands.add_parser(
        "reproduce",
        help="re-run each implemented paper's headline claim and write a report",
    )
    reproduce.add_argument("slugs", nargs="*", metavar="SLUG", help="papers to run (default: all)")
    reproduce.add_argument("--quick", action="store_true", help="smaller runs, for CI")
    reproduce.add_argument("--out", default="reproduction", help="output folder (default: %(default)s)")
    reproduce.add_argument(
        "--check",
        action="store_true",
        help="exit non-zero when a paper expected to reproduce does not",
    )
    reproduce.add_argument("--random-state", type=int, default=0)
    reproduce.add_argument("--list", action="store_true", help="list the registered papers and exit")
    args = parser.parse_args(argv)

    from .reproduce._report import main_reproduce

    return main_reproduce(
        slugs=args.slugs,
        quick=args.quick,
        out=args.out,
        check=args.check,
        random_state=args.random_state,
        list_only=args.list,
    )


if __name__ == "__main__":
    sys.exit(main())
