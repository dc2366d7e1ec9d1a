"""Sandboxed template rendering: a template can never run code, read files or reach internals.

Templates are Jinja2 source rendered by an ``ImmutableSandboxedEnvironment`` with no loader (so
``include``/``import``/``extends`` can read nothing), no globals (no ``range``, ``cycler``...),
``StrictUndefined`` (an unknown placeholder is an error, not an empty string) and a cap on
repetition and output size (``"x" * 10**9`` is refused). Values are plain strings. HTML bodies are
rendered with autoescaping, so a value such as ``<script>`` arrives as text. A template that
would run for minutes (deep loops, recursion, loops without output) is stopped by the limits of
``limits``: checked when it is parsed, and counted while it renders.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from mfa_console.core.mail import limits

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
                if (
                    isinstance(a, str | list | tuple)
                    and isinstance(b, int)
                    and (b > MAX_REPEAT or len(a) * b > MAX_OUTPUT)
                ):
                    raise SecurityError("repetition too large")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        limits.step()  # every call (macros too) costs a step: exponential macros stop early
        return super().call(__context, __obj, *args, **kwargs)


def _environment(html: bool) -> _Environment:
    env = _Environment(autoescape=html, undefined=StrictUndefined, keep_trailing_newline=True)
    env.globals.clear()
    env.filters[limits.STEP_FILTER] = limits.counted
    return env


_TEXT = _environment(False)
_HTML = _environment(True)


def parse(source: str) -> nodes.Template:
    """The parsed template, once it passed the limits checked before rendering."""
    try:
        tree = _TEXT.parse(source)
        limits.check(tree)
    except TemplateError as exc:
        raise TemplateProblem(_describe(exc), getattr(exc, "lineno", None)) from None
    except limits.LimitExceeded as exc:
        raise _limit_problem(exc) from None
    return tree


def placeholders(source: str) -> set[str]:
    """The placeholders ``source`` uses."""
    return set(meta.find_undeclared_variables(parse(source)))


@lru_cache(maxsize=256)
def _compiled(source: str, html: bool) -> Template:
    env = _HTML if html else _TEXT
    try:
        tree = env.parse(source)
        limits.check(tree)
    except limits.LimitExceeded as exc:
        raise _limit_problem(exc) from None
    return env.from_string(limits.count_loops(tree))


def render(source: str, values: Mapping[str, str], *, html: bool = False) -> str:
    try:
        with limits.Budget():
            text = _render(_compiled(source, html), values)
    except limits.LimitExceeded as exc:
        raise _limit_problem(exc) from None
    except SecurityError as exc:
        raise TemplateProblem(f"the template tried something not allowed ({exc})") from None
    except TemplateError as exc:
        raise TemplateProblem(_describe(exc), getattr(exc, "lineno", None)) from None
    except (TypeError, ValueError, ArithmeticError, OverflowError, RecursionError) as exc:
        raise TemplateProblem(f"the template cannot be rendered ({type(exc).__name__})") from None
    return text


def _render(template: Template, values: Mapping[str, str]) -> str:
    """Render, counting the output as it comes (a loop cannot fill the memory first)."""
    parts, size = [], 0
    for part in template.generate(dict(values)):
        size += len(part)
        if size > MAX_OUTPUT:
            raise TemplateProblem("the rendered message is too large")
        parts.append(part)
    return "".join(parts)


def _limit_problem(exc: limits.LimitExceeded) -> TemplateProblem:
    text = f"line {exc.line}: {exc}" if exc.line else str(exc)
    return TemplateProblem(text, exc.line)


def _describe(exc: TemplateError) -> str:
    message = exc.message or type(exc).__name__
    line = getattr(exc, "lineno", None)
    return f"line {line}: {message}" if line else message
