"""Templates: shipped defaults, the sandbox, placeholder checks, edits and Restore default."""

from __future__ import annotations

import dataclasses

import pytest

from mfa_console.app import Services
from mfa_console.core.errors import ValidationError
from mfa_console.core.mail import compose, sandbox, templates
from mfa_console.core.mail.sandbox import TemplateProblem

HOSTILE = [
    "{{ username.__class__.__mro__[1].__subclasses__() }}",
    "{{ ''.__class__.__base__.__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__['os'].listdir('/') }}",
    "{{ username.__init__.__globals__ }}",
    "{% include '/etc/passwd' %}",
    "{% import '/etc/passwd' as x %}",
    "{% extends '/etc/hostname' %}",
    "{{ self._TemplateReference__context }}",
    "{{ username|attr('__class__') }}",
    "{{ 'x' * 100000000 }}",
    "{{ 9 ** 9999999 }}",
    "{{ range(10**9)|list }}",
    "{{ username.format.__globals__ }}",
    "{{ '{0.__class__}'.format(username) }}",
    "{% for x in ().__class__.__base__.__subclasses__() %}{{ x }}{% endfor %}",
]


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_template_cannot_reach_internals_or_files(source: str) -> None:
    with pytest.raises(TemplateProblem):
        sandbox.render(source, {"username": "jane"})
    # Saving such a template is refused as well.
    template = dataclasses.replace(templates.default_template("phone-call"), text_body=source)
    assert "text_body" in templates.problems(template)


def test_html_body_escapes_values_and_text_does_not() -> None:
    values = {"first_name": "<script>alert(1)</script> & co"}
    html = sandbox.render("<p>{{ first_name }}</p>", values, html=True)
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp; co" in html
    assert sandbox.render("{{ first_name }}", values) == values["first_name"]


def test_every_default_template_renders_with_its_placeholders() -> None:
    for key in templates.template_keys():
        template = templates.default_template(key)
        assert templates.problems(template) == {}, key
        values = {name: f"<{name}>" for name in template.placeholders}
        rendered = templates.render(template, values)
        assert rendered.subject and rendered.text and rendered.html, key
        assert "<" + "first_name>" not in rendered.html  # escaped in HTML


def test_catalog_has_every_variant_the_original_had() -> None:
    keys = set(templates.template_keys())
    for method in ("phone-call", "text-message", "mobile-app", "oath-token"):
        assert {method, f"{method}-phone", f"{method}-pin"} <= keys
    assert {"portal-enrollment", "account-updated", "sync-approval"} <= keys


@pytest.mark.parametrize(
    ("method", "phone", "reason", "pin", "portal", "expected"),
    [
        ("phone-call", True, "new", False, "", "phone-call-phone"),
        ("phone-call", False, "new", False, "", "phone-call"),
        ("phone-call", False, "new", False, "https://p", "portal-enrollment"),
        ("text-message", True, "new", True, "https://p", "text-message-pin"),
        ("mobile-app", False, "new", False, "https://p", "mobile-app"),
        ("oath-token", True, "manual", False, "", "oath-token-phone"),
        ("phone-call", True, "updated", True, "", "account-updated"),
        ("phone-call", True, "pin", True, "", "phone-call-pin"),
    ],
)
def test_template_is_chosen_from_how_the_user_is_configured(
    method: str, phone: bool, reason: str, pin: bool, portal: str, expected: str
) -> None:
    assert compose.choose_template(method, phone, reason, pin, portal) == expected


def test_unknown_placeholder_is_flagged_before_saving(services: Services) -> None:
    template = services.mail.template("phone-call-phone")
    edited = dataclasses.replace(template, subject="Hi {{ frist_name }}", text_body="{% if %}")
    found = templates.problems(edited)
    assert "frist_name" in found["subject"]
    assert "text_body" in found
    with pytest.raises(ValidationError):
        services.mail.save_template(edited)
    assert services.mail.template("phone-call-phone") == template


def test_edit_is_stored_and_restore_default_returns(services: Services, data_file) -> None:  # type: ignore[no-untyped-def]
    template = services.mail.template("account-updated")
    edited = dataclasses.replace(
        template,
        from_address="Service Desk <desk@example.com>",
        subject="Changed for {{ username }}",
        html_body="",
    )
    services.mail.save_template(edited)
    stored = services.mail.template("account-updated")
    assert stored.customized and stored.subject == "Changed for {{ username }}"
    assert stored.from_address == "Service Desk <desk@example.com>"
    restored = services.mail.restore_default("account-updated")
    assert restored == templates.default_template("account-updated")
    assert not services.mail.template("account-updated").customized


def test_preview_uses_a_sample_user(services: Services) -> None:
    rendered = services.mail.preview(services.mail.template("phone-call-pin"))
    assert "Jane" in rendered.text and "4826" in rendered.text


def test_names_and_subjects_cannot_inject_headers() -> None:
    from email import message_from_bytes, policy

    rendered = templates.Rendered("Hi\r\nBcc: victim@example.org", "body", "")
    sender = compose.sender_address("", "mfa@example.com", "Desk\nX-Evil: 1")
    raw = compose.build_message(
        rendered,
        sender=sender,
        recipient="a@example.com",
        recipient_name="Ann\r\nBcc: spy@example.org",
        message_id="<1@example.com>",
    )
    message = message_from_bytes(raw, policy=policy.default)
    assert message["Bcc"] is None and message["X-Evil"] is None
    assert str(message["Subject"]) == "Hi Bcc: victim@example.org"
