"""The `zhidu` console command (a wrapper around manage.py).

  zhidu demo [--host H] [--port P]     create or migrate ./var/zhidu.sqlite3, load the demo
                                       organisation, serve the web UI with an in-process
                                       background worker, print the URL and the demo accounts
  zhidu serve [--host H] [--port P] [--workers N] [--migrate] [--with-worker]
                                       serve the web UI with granian (production)
  zhidu worker [--once]                run background tasks and periodic jobs
  zhidu jobs [--run NAME]              list periodic jobs and when they last ran
  zhidu check-audit                    verify the change-log hash chain
  zhidu <manage.py command> ...        any other manage.py command, e.g. `zhidu migrate`,
                                       `zhidu createsuperuser`, `zhidu help migrate`

Configuration comes from environment variables (README.md, docs/deploy.md).
"""

from __future__ import annotations

import argparse
import os
import sys

#: zhidu sub-commands spelled differently from their manage.py command.
ALIASES = {"check-audit": "check_audit", "load-demo": "load_demo"}


def _setup(*, demo: bool = False) -> None:
    if demo:
        os.environ.setdefault("ZHIDU_DEMO", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhidu.settings")
    import django

    django.setup()


def _serve_parser(command: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"zhidu {command}")
    parser.add_argument("--host", default=os.environ.get("ZHIDU_HOST", "127.0.0.1"),
                        help="address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("ZHIDU_PORT", "8000")))
    default_threads = min(8, 2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=int(os.environ.get("ZHIDU_WEB_THREADS", default_threads)),
                        help="request threads per web worker (default: 2 x CPUs + 1, at most 8; or ZHIDU_WEB_THREADS)")
    if command == "serve":
        parser.add_argument("--workers", type=int, default=int(os.environ.get("ZHIDU_WEB_WORKERS", "2")),
                            help="web worker processes (default 2, or ZHIDU_WEB_WORKERS)")
        parser.add_argument("--migrate", action="store_true", help="apply database migrations first")
        parser.add_argument("--with-worker", action="store_true",
                            help="also run background tasks and periodic jobs in this process")
        parser.add_argument("--no-collectstatic", action="store_true",
                            help="skip collectstatic (when static files were collected at build time)")
    else:
        parser.add_argument("--no-worker", action="store_true", help="do not run background tasks in-process")
    return parser


def _serve(host: str, port: int, workers: int, *, threads: int, in_process_worker: bool) -> None:
    """Serve zhidu.wsgi with granian; static files are served by whitenoise (settings)."""
    import multiprocessing

    from django.db import connections
    from granian.constants import Interfaces
    from granian.server import Server

    connections.close_all()  # nothing opened by migrate/load_demo crosses into the web workers
    if in_process_worker:
        from zhidu.core.jobs import start_worker_thread

        start_worker_thread()
    # Web workers start fresh ("spawn"), never as forks of a process that already runs threads.
    multiprocessing.set_start_method("spawn", force=True)
    Server(
        "zhidu.wsgi:application",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=threads,  # Django views run in these threads
        respawn_failed_workers=True,
    ).serve()


def _demo(argv: list[str]) -> None:
    args = _serve_parser("demo").parse_args(argv)
    _setup(demo=True)
    import logging

    from django.conf import settings
    from django.core.management import call_command

    # The demo console shows the banner and problems, not a line per background task.
    for name in ("django.tasks", "django_tasks_db"):
        logging.getLogger(name).setLevel(logging.WARNING)

    print(f"Preparing the demo database ({settings.DATABASES['default']['NAME']}) ...", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_demo", verbosity=1)
    _print_demo_banner(args.host, args.port)
    _serve(args.host, args.port, 1, threads=args.threads, in_process_worker=not args.no_worker)


def _serve_command(argv: list[str]) -> None:
    args = _serve_parser("serve").parse_args(argv)
    _setup()
    from django.core.management import call_command

    if args.migrate:
        call_command("migrate", interactive=False, verbosity=1)
    if not args.no_collectstatic:
        call_command("collectstatic", interactive=False, verbosity=0)
    print(f"Zhidu serving on http://{args.host}:{args.port}/ with {args.workers} web worker(s)", flush=True)
    _serve(args.host, args.port, args.workers, threads=args.threads, in_process_worker=args.with_worker)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv else "help"
    if command in {"help", "-h", "--help"} and len(argv) <= 1:
        print(__doc__)
        return
    if command == "demo":
        _demo(argv[1:])
        return
    if command == "serve":
        _serve_command(argv[1:])
        return
    _setup()
    from django.core.management import execute_from_command_line

    command = ALIASES.get(command, command)
    execute_from_command_line(["zhidu", command, *argv[1:]])


def _print_demo_banner(host: str, port: int) -> None:
    from zhidu.core.demo import DEMO_PASSWORD, demo_accounts

    shown_host = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host  # noqa: S104
    if ":" in shown_host:
        shown_host = f"[{shown_host}]"
    print()
    print(f"  Zhidu 制度 demo: http://{shown_host}:{port}/")
    print(f"  Demo accounts (password for all: {DEMO_PASSWORD}):")
    for username, description in demo_accounts():
        print(f"    {username:<12} {description}")
    print("  Press Ctrl+C to stop.")
    print()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
