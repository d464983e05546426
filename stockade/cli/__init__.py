"""The `stockade` command line."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from stockade import __version__
from stockade.cli import policy, server, sessions


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stockade",
        description="Self-hosted identity and access management on the AWS IAM model.",
    )
    parser.add_argument("--version", action="version", version=f"stockade {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    policy.register(commands)
    server.register(commands)
    sessions.register(commands)
    return parser


EXIT_INTERNAL = 70


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        # A bug, not bad input (bad input has its own messages): one line, not a traceback.
        if os.environ.get("STOCKADE_DEBUG"):
            raise
        print(
            f"stockade: internal error ({type(exc).__name__}); rerun with STOCKADE_DEBUG=1 "
            "for details and report it",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    return code


if __name__ == "__main__":
    sys.exit(main())
