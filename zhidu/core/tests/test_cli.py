"""The `zhidu` console command, run as a user runs it (subprocesses)."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from zhidu import cli

ROOT = Path(__file__).resolve().parents[3]
STARTUP_POLLS = 480  # × 0.5 s wait on the process: migrating and loading the demo on a slow CI machine


def zhidu_command() -> list[str]:
    script = Path(sys.executable).with_name("zhidu")
    return [str(script)] if script.exists() else [sys.executable, "-m", "zhidu.cli"]


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a user's shell: no test settings, SQLite in a temporary var dir."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "ZHIDU_TESTING", "ZHIDU_TEST_DB_NAME", "ZHIDU_DEMO", "ZHIDU_DEBUG", "ZHIDU_SECRET_KEY"}
           and not k.startswith("PYTEST")}
    env.update(ZHIDU_VAR_DIR=str(tmp_path / "var"), PYTHONUNBUFFERED="1", **extra)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([*zhidu_command(), *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=180, check=False)


def test_help_lists_the_commands(tmp_path):
    result = run(["help"], clean_env(tmp_path))
    assert result.returncode == 0, result.stderr
    for command in ("zhidu demo", "zhidu serve", "zhidu worker", "zhidu check-audit", "--port", "--host"):
        assert command in result.stdout


def test_manage_py_commands_pass_through(tmp_path):
    env = clean_env(tmp_path, ZHIDU_SECRET_KEY="cli-test-secret-key-0123456789")
    result = run(["check"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    result = run(["help", "worker"], env)
    assert result.returncode == 0, result.stderr
    assert "--once" in result.stdout
    result = run(["check-audit", "--help"], env)
    assert result.returncode == 0, result.stderr
    assert "hash chain" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run(["check"], clean_env(tmp_path))
    assert result.returncode != 0
    assert "ZHIDU_SECRET_KEY" in result.stderr


def test_hyphenated_commands_map_to_manage_py_names():
    assert cli.ALIASES["check-audit"] == "check_audit"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (a local URL)
            return response.status
    except urllib.error.HTTPError as e:
        return e.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def test_demo_serves_the_login_page_and_static_files(tmp_path):
    port = free_port()
    log_path = tmp_path / "demo.log"
    base = f"http://127.0.0.1:{port}"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [*zhidu_command(), "demo", "--port", str(port)], cwd=ROOT, env=clean_env(tmp_path),
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        status = None
        for _poll in range(STARTUP_POLLS):
            status = http_status(f"{base}/accounts/login/")
            if status is not None:
                break
            try:
                proc.wait(timeout=0.5)  # also notices a demo that exits instead of serving
                pytest.fail(f"zhidu demo exited with {proc.returncode}:\n{log_path.read_text()}")
            except subprocess.TimeoutExpired:
                pass
        output = log_path.read_text()
        assert status == 200, f"login page answered {status}:\n{output}"
        assert http_status(f"{base}/static/core/zhidu.css") == 200
        # A browser keeps several keep-alive connections open while it loads a page's assets;
        # idle open connections must not stop the server from answering a new one.
        idle = [http.client.HTTPConnection("127.0.0.1", port, timeout=5) for _ in range(12)]
        try:
            for connection in idle:
                connection.request("GET", "/static/core/zhidu.js")
                connection.getresponse().read()
            assert http_status(f"{base}/accounts/login/") == 200
        finally:
            for connection in idle:
                connection.close()
        assert (tmp_path / "var" / "zhidu.sqlite3").exists()
        assert f"http://127.0.0.1:{port}/" in output
        assert "admin" in output  # the demo accounts are printed
    finally:
        stop_group(proc)


def stop_group(proc: subprocess.Popen) -> None:
    """Stop the demo and the web workers it spawned (its own process group)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=30)
            break
        except subprocess.TimeoutExpired:
            continue
