"""Structured logs: one line per event as key=value pairs, easy to grep and to ship to a log store."""

import logging
from typing import Any

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def _escape(char: str) -> str:
    if char in '\\"':
        return "\\" + char
    return char if char.isprintable() else char.encode("unicode_escape").decode("ascii")


def _quote(value: Any) -> str:
    text = str(value)
    if not text or any(c in text for c in ' "=\\') or not text.isprintable():
        # One event, one line: a value can never forge another field or another line.
        return '"' + "".join(_escape(c) for c in text) + '"'
    return text


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        parts = [
            f"ts={self.formatTime(record, '%Y-%m-%dT%H:%M:%S')}",
            f"level={record.levelname.lower()}",
            f"logger={record.name}",
            f"msg={_quote(record.getMessage())}",
        ]
        parts += [f"{k}={_quote(v)}" for k, v in record.__dict__.items() if k not in _STANDARD]
        line = " ".join(parts)
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line
