"""Sandboxed template rendering: a template can never run code, read files or reach internals.

Templates are Jinja2 source rendered by an ``ImmutableSandboxedEnvironment`` with no loader (so
``include``/``import``/``extends`` can read nothing), no globals (no ``range``, ``cycler``...),
``StrictUndefined`` (an unknown placeholder is an error, not an empty string) and a cap on
repetition and output size (``"x" * 10**9`` is refused). Values are plain strings. HTML bodies are
rendered with autoescaping, so a value such as ``<script>`` arrives as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

MAX_OUTPUT = 256 * 1024
MAX_REPEAT = 10_000


class TemplateProblem(Exception):
    """A template that cannot be rendered or saved; ``str()`` says why, ``line`` where."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class _Environment(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and (not isinstance(right, int) or abs(right) > 64):
            raise SecurityError("exponent too large")
        if operator == "*":
            for a, b in ((left, right), (right, left)):
                if isinstance(a, str | list | tuple) and isinstance(b, int) and b > MAX_REPEAT:
                    raise SecurityError("repetition too large")
        return super().call_binop(context, operator, left, right)


def _environment(html: bool) -> _Environment:
    env = _Environment(autoescape=html, undefined=StrictUndefined, keep_trailing_newline=True)
    env.globals.clear()
    return env


_TEXT = _environment(False)
_HTML = _environment(True)


def parse(source: str) -> nodes.Template:
    try:
        return _TEXT.parse(source)
    except TemplateError as exc:
        raise TemplateProblem(_describe(exc), getattr(exc, "lineno", None)) from None


def placeholders(source: str) -> set[str]:
    """The placeholders ``source`` uses."""
    return set(meta.find_undeclared_variables(parse(source)))


@lru_cache(maxsize=256)
def _compiled(source: str, html: bool) -> Template:
    return (_HTML if html else _TEXT).from_string(source)


def render(source: str, values: Mapping[str, str], *, html: bool = False) -> str:
    try:
        text = _compiled(source, html).render(dict(values))
    except SecurityError as exc:
        raise TemplateProblem(f"the template tried something not allowed ({exc})") from None
    except TemplateError as exc:
        raise TemplateProblem(_describe(exc), getattr(exc, "lineno", None)) from None
    except (TypeError, ValueError, ArithmeticError, OverflowError, RecursionError) as exc:
        raise TemplateProblem(f"the template cannot be rendered ({type(exc).__name__})") from None
    if len(text) > MAX_OUTPUT:
        raise TemplateProblem("the rendered message is too large")
    return text


def _describe(exc: TemplateError) -> str:
    message = exc.message or type(exc).__name__
    line = getattr(exc, "lineno", None)
    return f"line {line}: {message}" if line else message
