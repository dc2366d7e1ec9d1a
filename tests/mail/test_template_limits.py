"""Templates that would run for minutes are refused as template problems, quickly: limits
checked before rendering (recursion, loop depth) and counted while rendering (steps, output)."""

from __future__ import annotations

import dataclasses
import time

import pytest

from mfa_console.core.mail import limits, sandbox, templates
from mfa_console.core.mail.sandbox import TemplateProblem

RUNAWAY = {
    # 10,000^3 = 10^12 iterations, no output: minutes without the limits.
    "deep loops": "{% for a in 'x'*10000 %}{% for b in 'x'*10000 %}{% for c in 'x'*10000 %}"
    "{% endfor %}{% endfor %}{% endfor %}",
    "loops within the depth": "{% for a in 'x'*10000 %}{% for b in 'x'*10000 %}{% endfor %}"
    "{% endfor %}",
    "four levels": "{% for a in 'ab' %}{% for b in 'ab' %}{% for c in 'ab' %}{% for d in 'ab' %}"
    "{% endfor %}{% endfor %}{% endfor %}{% endfor %}",
    "a recursive loop": "{% for x in 'ab' recursive %}{{ loop('ab') }}{% endfor %}",
    "a macro calling itself": "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}",
    "macros in a loop": "{% macro f() %}{% for a in 'x'*10000 %}{% for b in 'x'*10000 %}"
    "{% endfor %}{% endfor %}{% endmacro %}{% for c in 'xy' %}{{ f() }}{% endfor %}",
    "exponential macros": "{% macro f0() %}{% endmacro %}"
    + "".join(
        f"{{% macro f{i}() %}}{{{{ f{i - 1}() }}}}{{{{ f{i - 1}() }}}}{{% endmacro %}}"
        for i in range(1, 60)
    )
    + "{{ f59() }}",
    "output in a loop": "{% for a in 'x'*10000 %}{{ 'b' * 10000 }}{% endfor %}",
    "repetition of a repetition": "{{ ('b' * 10000) * 10000 }}",
}


@pytest.mark.parametrize("name", list(RUNAWAY))
def test_a_runaway_template_is_a_template_problem_within_a_second(name: str) -> None:
    source = RUNAWAY[name]
    started = time.monotonic()
    with pytest.raises(TemplateProblem):
        sandbox.render(source, {"username": "jane"})
    template = dataclasses.replace(templates.default_template("phone-call"), text_body=source)
    assert "text_body" in templates.problems(template)  # refused when saved, too
    assert time.monotonic() - started < 5  # generous for a loaded machine; unlimited: minutes


def test_the_problem_names_the_limit_and_its_line() -> None:
    with pytest.raises(TemplateProblem, match=r"line 2: the macro f calls itself"):
        sandbox.parse("Hello\n{% macro f() %}{{ f() }}{% endmacro %}")
    with pytest.raises(TemplateProblem, match="nested 4 deep"):
        sandbox.parse(RUNAWAY["four levels"])
    with pytest.raises(TemplateProblem, match=f"more than {limits.MAX_STEPS:,} loop steps"):
        sandbox.render(RUNAWAY["loops within the depth"], {})


def test_ordinary_loops_and_macros_still_render() -> None:
    source = (
        "{% macro line(text) %}- {{ text }}\n{% endmacro %}"
        "{% for word in username.split('.') %}{{ line(word) }}{% endfor %}"
        "{% for c in 'ab' %}{% for d in 'cd' %}{{ c ~ d }} {% endfor %}{% endfor %}"
        "{{ loop_free }}{% for x in [] %}{% else %}none{% endfor %}"
    )
    text = sandbox.render(source, {"username": "jane.doe", "loop_free": "!"})
    assert text == "- jane\n- doe\nac ad bc bd !none"
