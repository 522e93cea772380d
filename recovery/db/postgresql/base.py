"""PostgreSQL, with a health check that makes no round trip while nothing has happened.

With CONN_HEALTH_CHECKS, Django checks a reused connection at each request's first query with a
`SELECT 1`: a round trip to the server, 4-7 % of a gunicorn worker's time on an API request. A
server that goes away while the connection sits idle (a restart, `pg_terminate_backend`, a
failover that closes the socket) first sends the client an error or closes the socket, and the
socket turns readable. So: nothing to read, the connection is as the last request left it, with
every answer read; something to read, Django's own check decides.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        if self.connection is None or self.connection.closed:
            return False
        try:
            waiting = select.poll()
            waiting.register(self.connection.fileno(), select.POLLIN | select.POLLPRI)
            if not waiting.poll(0):
                return True
        except (OSError, ValueError):
            return False
        return super().is_usable()
