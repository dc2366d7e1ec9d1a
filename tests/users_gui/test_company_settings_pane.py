"""The Company Settings pane: every field, save and revert, ranges, invalid values refused."""

from __future__ import annotations

import dataclasses

from mfa_console.app import Services
from mfa_console.core.company import PIN_HISTORY_RANGE, CompanySettings
from mfa_console.core.errors import ValidationError
from mfa_console.ui.forms.company import CompanySettingsForm
from mfa_console.ui.panes.company_settings import CompanySettingsPane


def make_pane(qtbot, services: Services) -> CompanySettingsForm:  # type: ignore[no-untyped-def]
    """The pane's form, with the pane's Save / Revert bar as ``bar``."""
    pane = CompanySettingsPane(services)
    qtbot.addWidget(pane)
    form = pane.form
    form.bar = pane.save_bar  # type: ignore[attr-defined]
    form.pane = pane  # type: ignore[attr-defined]  # keeps the pane alive
    return form


def test_every_field_has_a_widget_and_defaults_load(qtbot, services: Services) -> None:  # type: ignore[no-untyped-def]
    pane = make_pane(qtbot, services)
    names = {f.name for f in dataclasses.fields(CompanySettings)}
    assert set(pane._inputs()) == names
    assert pane.values() == CompanySettings()
    assert not pane.bar.save_button.isEnabled() and not pane.bar.revert_button.isEnabled()


def test_save_and_revert(qtbot, services: Services) -> None:  # type: ignore[no-untyped-def]
    pane = make_pane(qtbot, services)
    pane.default_method.setCurrentIndex(pane.default_method.findData("text-message"))
    assert pane.default_mode.currentData() == "otp"
    pane.default_mode.setCurrentIndex(pane.default_mode.findData("otp-pin"))
    pane.pin_history.setValue(7)
    pane.pin_expiration_enabled.setChecked(True)
    pane.pin_expiration_days.setValue(30)
    pane.languages["language_mobile_app"].setCurrentIndex(
        pane.languages["language_mobile_app"].findData("de")
    )
    assert pane.bar.save_button.isEnabled()
    assert pane.bar.save()
    assert not pane.bar.save_button.isEnabled() and not pane.bar.revert_button.isEnabled()
    stored = services.settings.load(CompanySettings)
    assert (stored.default_method, stored.default_mode, stored.pin_history) == (
        "text-message",
        "otp-pin",
        7,
    )
    assert (stored.pin_expiration_enabled, stored.pin_expiration_days) == (True, 30)
    assert stored.language_mobile_app == "de"
    pane.pin_history.setValue(2)
    assert pane.bar.revert_button.isEnabled()
    pane.bar.revert()
    assert pane.pin_history.value() == 7
    assert not pane.bar.save_button.isEnabled() and not pane.bar.revert_button.isEnabled()


def test_ranges_come_from_core(qtbot, services: Services) -> None:  # type: ignore[no-untyped-def]
    pane = make_pane(qtbot, services)
    assert (pane.pin_history.minimum(), pane.pin_history.maximum()) == PIN_HISTORY_RANGE
    pane.pin_history.setValue(99)
    assert pane.pin_history.value() == PIN_HISTORY_RANGE[1]
    assert pane.pin_min_length.minimum() == 4
    assert not pane.pin_expiration_days.isEnabled()


def test_invalid_values_are_refused_and_shown(qtbot, services: Services, messages) -> None:  # type: ignore[no-untyped-def]
    pane = make_pane(qtbot, services)
    try:
        CompanySettings(pin_history=0, default_mode="otp").validate()
    except ValidationError as exc:
        pane.show_problems(exc.problems)
    assert "between 1 and 10" in pane._problem_labels["pin_history"].text()
    assert not pane._problem_labels["default_mode"].isHidden()
    assert not pane.bar.save_button.isEnabled()  # nothing changed
    pane.revalidate()
    assert pane.problems == {}
    services.settings.save(CompanySettings(pin_history=3))
    pane.revert()
    assert pane.pin_history.value() == 3
