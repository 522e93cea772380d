"""Structured log lines: one JSON object per line, with the case reference when there is one."""

import datetime
import json
import logging

# Extra attributes a log call may pass that belong in the structured line.
CONTEXT_FIELDS = ("case", "event", "actor", "clock", "task", "duration_ms")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            # UTC with its offset: local wall time repeats an hour on the night the clocks go back.
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in CONTEXT_FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class PlainFormatter(logging.Formatter):
    """Readable in a terminal, still carrying the case reference."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        context = " ".join(f"{n}={getattr(record, n)}" for n in CONTEXT_FIELDS if hasattr(record, n))
        return f"{text} [{context}]" if context else text
