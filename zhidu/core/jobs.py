"""Background worker and periodic jobs (filled in by the jobs module)."""

import threading


def start_worker_thread():
    from django.core.management import call_command

    thread = threading.Thread(target=call_command, args=("db_worker",), kwargs={"reload": False}, daemon=True)
    thread.start()
    return thread
