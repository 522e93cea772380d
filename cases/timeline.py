"""Readable words for timeline events whose kinds belong to a concern (registered in its ready())."""

from collections.abc import Callable

_words: dict[str, tuple[Callable, Callable]] = {}


def register_words(prefix: str, *, sentence: Callable, detail: Callable) -> None:
    """Events whose kind starts with `prefix` are worded by `sentence(event)` and `detail(event)`."""
    _words[prefix] = (sentence, detail)


def words_for(kind: str) -> tuple[Callable, Callable] | None:
    return next((words for prefix, words in _words.items() if kind.startswith(prefix)), None)
