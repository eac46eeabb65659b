"""One request at a time in the browser tests' live server on SQLite (installed by settings
only when testing).

The live server answers each browser connection in its own thread, and on SQLite every thread
shares the test's in-memory database connection: two requests in flight at once (an htmx
refresh still running when the form is submitted) would both start a transaction on that one
connection ("cannot start a transaction within a transaction"). PostgreSQL gives each thread
its own connection and is not serialised.
"""

import threading

from django.db import connection

_lock = threading.Lock()


def serial_requests(get_response):
    def middleware(request):
        if connection.vendor != "sqlite":
            return get_response(request)
        with _lock:
            return get_response(request)

    return middleware
