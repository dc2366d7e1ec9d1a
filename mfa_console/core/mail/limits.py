"""How much work a template may do: checked before rendering, and counted while it renders.

A template that loops without output (``{% for a in x %}{% for b in x %}...{% endfor %}``) or
whose macros call each other exponentially would freeze the window or the service for minutes,
and a Python thread cannot be stopped. The choice here is limits, not a separate process with a
time limit: email templates are a few placeholders and perhaps a loop, limits keep every render
well under a second in the same process, and a render per message in a separate process would
cost a process start per message (much more on Windows).

Before rendering (``check``, on the parsed template): no ``recursive`` loops, no macro that calls
itself (directly or through others), and loops nested at most ``MAX_LOOP_DEPTH`` deep, counting
the loops of the macros a loop calls. While rendering (the counts cannot be known before: they
depend on the values): at most ``MAX_STEPS`` loop iterations and calls in all (``Budget``), and
output is counted as it is produced. Every breach is a ``TemplateProblem`` naming the limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

from jinja2 import nodes

MAX_LOOP_DEPTH = 3
MAX_STEPS = 100_000
_REMAINING: ContextVar[list[int]] = ContextVar("template_steps")
STEP_FILTER = "mfa_counted"


class LimitExceeded(Exception):
    """Raised inside a render; the sandbox turns it into a ``TemplateProblem``."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def check(template: nodes.Template) -> None:
    """Refuse what could run without end before rendering it (raises ``LimitExceeded``)."""
    for loop in template.find_all(nodes.For):
        if loop.recursive:
            raise LimitExceeded("recursive loops are not allowed in email templates", loop.lineno)
    macros = {macro.name: macro for macro in template.find_all(nodes.Macro)}
    depth = _Depths(macros)
    for name in macros:
        depth.of_macro(name, ())
    deepest = depth.of(template.body)
    if deepest > MAX_LOOP_DEPTH:
        raise LimitExceeded(
            f"loops are nested {deepest} deep; email templates allow {MAX_LOOP_DEPTH}"
        )


class _Depths:
    """Loop nesting depth of nodes, following calls to the template's macros."""

    def __init__(self, macros: dict[str, nodes.Macro]) -> None:
        self.macros = macros
        self.known: dict[str, int] = {}

    def of_macro(self, name: str, calling: tuple[str, ...]) -> int:
        if name in calling:
            raise LimitExceeded(
                f"the macro {name} calls itself; email templates cannot use recursion",
                self.macros[name].lineno,
            )
        if name not in self.known:
            self.known[name] = self.of(self.macros[name].body, (*calling, name))
        return self.known[name]

    def of(self, body: Iterable[nodes.Node], calling: tuple[str, ...] = ()) -> int:
        return max((self._node(node, calling) for node in body), default=0)

    def _node(self, node: nodes.Node, calling: tuple[str, ...]) -> int:
        if isinstance(node, nodes.Macro):
            return 0  # counted where it is called
        inner = self.of(node.iter_child_nodes(), calling)
        if isinstance(node, nodes.Call | nodes.CallBlock):
            target = node.node if isinstance(node, nodes.Call) else node.call.node
            if isinstance(target, nodes.Name) and target.name in self.macros:
                inner = max(inner, self.of_macro(target.name, calling))
        return inner + 1 if isinstance(node, nodes.For) else inner


def count_loops(template: nodes.Template) -> nodes.Template:
    """Make every loop of ``template`` iterate through the step counter."""
    for loop in template.find_all(nodes.For):
        loop.iter = nodes.Filter(loop.iter, STEP_FILTER, [], [], None, None, lineno=loop.lineno)
    return template


def counted(iterable: Iterable[Any]) -> Iterator[Any]:
    """The step filter: each item of a loop costs one step of the render's budget."""
    for item in iterable:
        step()
        yield item


def step() -> None:
    remaining = _REMAINING.get(None)
    if remaining is None:
        return
    remaining[0] -= 1
    if remaining[0] < 0:
        raise LimitExceeded(
            f"the template repeats too much (more than {MAX_STEPS:,} loop steps and calls)"
        )


class Budget:
    """``with Budget():`` around one render: the steps it may take."""

    def __enter__(self) -> Budget:
        self._token = _REMAINING.set([MAX_STEPS])
        return self

    def __exit__(self, *_exc: object) -> None:
        _REMAINING.reset(self._token)
