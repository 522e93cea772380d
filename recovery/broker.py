"""kombu's Redis transport, with one fix that keeps the worker alive through a broker outage.

When the worker loses its broker connection, celery's consumer calls `Connection.collect()`,
which detaches the transport from its connection (`transport.client = None`), and then closes
the connection. If the first close of a channel failed half-way (its socket already dead), the
second close restores the message the worker held unacknowledged, which needs a new Redis pool,
whose parameters kombu reads from `transport.client`: `AttributeError: 'NoneType' object has no
attribute 'hostname'`. That is not a connection error, so celery does not retry and the worker
exits for good (kombu 5.7.0, celery 5.7.0: no later release to move to).

Here a channel remembers the connection it was opened on and reads its parameters from it once
the transport is detached. The restore then tries Redis like any other command: with Redis
still down that is a connection error, which celery handles by reconnecting, and the message
stays in Redis's unacknowledged set to be restored later.
"""

from kombu.transport import redis


class Channel(redis.Channel):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._conninfo = self.connection.client

    def _connparams(self, asynchronous=False):
        transport = self.connection
        if transport.client is not None:
            return super()._connparams(asynchronous=asynchronous)
        transport.client = self._conninfo
        try:
            return super()._connparams(asynchronous=asynchronous)
        finally:
            transport.client = None


class Transport(redis.Transport):
    Channel = Channel
