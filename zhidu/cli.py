"""The `zhidu` console command: demo, serve, worker, check-audit, and every manage.py command.

    zhidu demo [--host H] [--port P]   migrate ./var/zhidu.sqlite3, load the demo organisation,
                                       serve the web UI with an in-process background worker
    zhidu serve [--host H] [--port P] [--workers N]
    zhidu worker                       run background tasks and periodic jobs
    zhidu check-audit                  verify the change-log hash chain
    zhidu <manage.py command> …        e.g. `zhidu migrate`, `zhidu createsuperuser`
"""

from __future__ import annotations

import argparse
import os
import sys


def _setup(*, demo: bool = False) -> None:
    if demo:
        os.environ.setdefault("ZHIDU_DEMO", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhidu.settings")
    import django

    django.setup()


def _serve(host: str, port: int, workers: int, *, in_process_worker: bool) -> None:
    from django.conf import settings

    if in_process_worker:
        from zhidu.core.jobs import start_worker_thread

        start_worker_thread()
    from granian.constants import Interfaces
    from granian.server import Server

    static = str(settings.STATIC_ROOT)
    Server(
        "zhidu.wsgi:application",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        static_path_route="/static",
        static_path_mount=static if os.path.isdir(static) and not settings.WHITENOISE_USE_FINDERS else None,
    ).serve()


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv else "help"
    if command in {"help", "-h", "--help"}:
        print(__doc__)
        return
    if command in {"demo", "serve"}:
        parser = argparse.ArgumentParser(prog=f"zhidu {command}")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1)
        parser.add_argument("--no-worker", action="store_true", help="do not run background tasks in-process")
        args = parser.parse_args(argv[1:])
        _setup(demo=command == "demo")
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        if command == "demo":
            call_command("load_demo", verbosity=1)
            _print_demo_banner(args.host, args.port)
        else:
            call_command("collectstatic", interactive=False, verbosity=0)
        _serve(args.host, args.port, args.workers, in_process_worker=command == "demo" and not args.no_worker)
        return
    _setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["zhidu", *argv])


def _print_demo_banner(host: str, port: int) -> None:
    from zhidu.core.demo import DEMO_PASSWORD, demo_accounts

    shown_host = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104
    print()
    print(f"  Zhidu 制度 demo: http://{shown_host}:{port}/")
    print(f"  Demo accounts (password for all: {DEMO_PASSWORD}):")
    for username, description in demo_accounts():
        print(f"    {username:<12} {description}")
    print()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
