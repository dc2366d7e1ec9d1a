"""The Add/Edit User dialog: validation as you type, company defaults, round trips, conflicts."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from mfa_console.app import Services
from mfa_console.core.company import CompanySettings
from mfa_console.ui.dialogs.user_edit import UserEditDialog


def dialog_for(qtbot, services: Services, user_id: int | None = None) -> UserEditDialog:  # type: ignore[no-untyped-def]
    dialog = UserEditDialog(services, user_id)
    qtbot.addWidget(dialog)
    return dialog


def ok_enabled(dialog: UserEditDialog) -> bool:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def test_validates_as_you_type_with_a_message_per_field(qtbot, services: Services) -> None:  # type: ignore[no-untyped-def]
    dialog = dialog_for(qtbot, services)
    assert "username" in dialog.problems and not ok_enabled(dialog)
    qtbot.keyClicks(dialog.username, "new.user@contoso.com")
    qtbot.keyClicks(dialog.email, "not-an-email")
    assert "not a valid email address" in dialog._problem_labels["email"].text()
    dialog.email.setText("new.user@contoso.com")
    qtbot.keyClicks(dialog.phone, "12")
    assert "phone" in dialog.problems
    assert not dialog._problem_labels["phone"].isHidden()
    dialog.phone.setText("425-555-0100 x12")
    assert dialog.problems == {}
    assert ok_enabled(dialog)
    dialog.pin.setText("1234")
    dialog.confirm_pin.setText("1234")
    assert "weak" in dialog.problems["pin"]
    dialog.pin.setText("4825")
    assert dialog.problems == {"confirm_pin": "the two PINs are not the same"}
    dialog.confirm_pin.setText("4825")
    assert ok_enabled(dialog)


def test_add_uses_company_defaults_and_round_trips(qtbot, services: Services) -> None:  # type: ignore[no-untyped-def]
    services.settings.save(
        CompanySettings(
            default_method="text-message", default_mode="two-way-otp", language_text_message="fr"
        )
    )
    dialog = dialog_for(qtbot, services)
    assert dialog.method.currentData() == "text-message"
    assert dialog.mode.currentData() == "two-way-otp"
    assert dialog.languages["text-message"].currentData() == "fr"
    assert dialog.country.currentText() == "United States & Canada +1"
    dialog.username.setText("Dana.Scully@contoso.com")
    dialog.first_name.setText("Dana")
    dialog.phone.setText("(202) 555-0147")
    dialog.backup_phone.setText("+44 20 7946 0958")
    dialog._on_generate_clicked()
    pin = dialog.pin.text()
    assert pin in dialog.pin_note.text() and dialog.pin_change_required.isChecked()
    dialog.accept()
    assert dialog.result() == 1
    user = services.users.find("dana.scully@contoso.com")
    assert (user.phone, user.backup_phone, user.mode) == (
        "+12025550147",
        "+442079460958",
        "two-way-otp",
    )
    assert user.has_pin and user.pin_change_required

    edit = dialog_for(qtbot, services, user.id)
    assert edit.username.text() == "Dana.Scully@contoso.com"
    assert edit.phone.text() == "(202) 555-0147"
    assert edit.backup_country.currentData() == 44
    assert edit.pin.text() == "" and "A PIN is set" in edit.pin_note.text()
    assert pin not in edit.pin_note.text()
    edit.last_name.setText("Scully")
    edit.method.setCurrentIndex(edit.method.findData("mobile-app"))
    assert edit.mode.currentData() == "standard"
    edit.accept()
    changed = services.users.get(user.id)
    assert (changed.last_name, changed.method, changed.version) == ("Scully", "mobile-app", 2)
    assert changed.has_pin  # a blank PIN keeps the current one


def test_concurrent_edit_is_refused_with_a_message(qtbot, services: Services, messages) -> None:  # type: ignore[no-untyped-def]
    from mfa_console.core.users.records import UserInput

    user = services.users.add(UserInput("fox@contoso.com", "Fox", phone="202-555-0111"))
    dialog = dialog_for(qtbot, services, user.id)
    services.users.set_enabled([user.id], False)  # another console, meanwhile
    dialog.first_name.setText("Fox W.")
    dialog.accept()
    assert dialog.result() == 0
    assert messages[-1].kind == "error" and "since you opened it" in messages[-1].text
    assert services.users.get(user.id).first_name == "Fox"


def test_duplicate_username_is_refused(qtbot, services: Services, messages) -> None:  # type: ignore[no-untyped-def]
    from mfa_console.core.users.records import UserInput

    services.users.add(UserInput("gil@contoso.com", method="oath-token"))
    dialog = dialog_for(qtbot, services)
    dialog.username.setText("GIL@contoso.com")
    dialog.method.setCurrentIndex(dialog.method.findData("oath-token"))
    dialog.accept()
    assert dialog.result() == 0
    assert "exists already" in messages[-1].text


@pytest.mark.parametrize(
    ("field", "text", "reason"),
    [("phone", "555-12", "not a valid number"), ("extension", "12a", "may hold only digits")],
)
def test_invalid_phone_messages(
    qtbot, services: Services, field: str, text: str, reason: str
) -> None:  # type: ignore[no-untyped-def]
    dialog = dialog_for(qtbot, services)
    dialog.username.setText("h@contoso.com")
    dialog.phone.setText("425-555-0100")
    getattr(dialog, field).setText(text)
    assert reason in dialog.problems["phone"]
    assert not ok_enabled(dialog)
