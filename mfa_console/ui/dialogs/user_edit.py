"""The Add User / Edit User dialog, organised like the original's.

General: username, names, email, user group, country code + phone + extension, and the backup
phone. Method: method and its mode, PIN (with Generate and "PIN change required") and the language
of each method. Enabled below the tabs. Every change is checked by the users service as you type
(each problem shown under its field, OK disabled while there is one), and again when saving.
A PIN is never shown back: a generated one is shown once, here, for the administrator to pass on.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from mfa_console.app import Services
from mfa_console.core.errors import ConsoleError, ValidationError
from mfa_console.core.users import phones
from mfa_console.core.users.methods import LANGUAGE_FIELDS, LANGUAGES, METHODS
from mfa_console.core.users.records import User, UserInput
from mfa_console.core.wording import field_label
from mfa_console.ui import messages
from mfa_console.ui.choices import fill_modes
from mfa_console.ui.keyboard import fix_buddies

LANGUAGE_LABELS = {
    "phone-call": "Phone call language:",
    "text-message": "Text message language:",
    "mobile-app": "Mobile app language:",
    "oath-token": "OATH token language:",
}
PROBLEM_STYLE = "color: #b00020;"


def country_combo(selected: int) -> QComboBox:
    combo = QComboBox()
    for code, label in phones.country_codes():
        combo.addItem(label, code)
    combo.setCurrentIndex(max(combo.findData(selected), 0))
    combo.setMaxVisibleItems(20)
    return combo


class ProblemLabel(QLabel):
    """A problem under its field: it wraps (the dialog keeps its width while typing) and asks
    for the height of its wrapped lines, which a form in a tab does not give it by itself."""

    def __init__(self) -> None:
        super().__init__()
        self.setStyleSheet(PROBLEM_STYLE)
        self.setWordWrap(True)
        self.hide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        need = self.heightForWidth(self.width())
        if need > 0 and need != self.minimumHeight():
            self.setMinimumHeight(need)


def problem_label() -> QLabel:
    return ProblemLabel()


def show_problem(label: QLabel, problem: str | None) -> None:
    """Show ``problem`` under its field, or hide the label."""
    label.setText(sentence(problem or ""))
    label.setVisible(problem is not None)


def sentence(text: str) -> str:
    """A problem as shown under its field: capitalised, one final full stop."""
    text = text.strip()
    if not text:
        return ""
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


class UserEditDialog(QDialog):
    """Add a user (``user_id`` None, with the company defaults) or edit one."""

    def __init__(self, services: Services, user_id: int | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        self.company = services.users.company()
        self.user: User | None = services.users.get(user_id) if user_id is not None else None
        self.saved: User | None = None
        self.problems: dict[str, str] = {}
        self._fields: dict[str, QWidget] = {}
        self._problem_labels: dict[str, QLabel] = {}
        self.setWindowTitle(f"Edit User - {self.user.username}" if self.user else "Add User")
        self.tabs = QTabWidget()
        self.tabs.addTab(self._general_tab(), "&General")
        general = set(self._fields)
        self.tabs.addTab(self._method_tab(), "&Method")
        self._tab_fields = [general, set(self._fields) - general]
        if self.user is not None:
            from mfa_console.ui.dialogs.oath_token_tab import OathTokenTab

            token_tab = OathTokenTab(services, self.user.username, self._on_token_changed, self)
            self.tabs.addTab(token_tab, "OATH &Token")
            self._tab_fields.append(set())
        self.enabled = QCheckBox("&Enabled")
        self.enabled.setChecked(self.user.enabled if self.user else True)
        self.enabled.toggled.connect(self.revalidate)
        self.send_email = QCheckBox(
            "&Send the user an email" if self.user is None else "&Send the user an update email"
        )
        self.send_email.setToolTip(
            "Queue the enrollment email for this user when you press OK (Email pane settings)."
        )
        self._can_send = self._email_configured()
        self.send_email.setVisible(self._can_send)
        self.send_email.setChecked(self.user is None and self._can_send)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        checks = QHBoxLayout()
        checks.addWidget(self.enabled)
        checks.addStretch(1)
        checks.addWidget(self.send_email)
        layout.addLayout(checks)
        layout.addWidget(self.buttons)
        self._load()
        self.revalidate()
        self.resize(560, self.sizeHint().height())
        fix_buddies(self)
        self.username.setFocus(Qt.FocusReason.OtherFocusReason)  # Ctrl+N, then type the name

    def _email_configured(self) -> bool:
        """As the original: the Send Email choice is shown only when email is set up."""
        from mfa_console.core.mail.settings import EmailSettings

        settings = self.services.settings.load(EmailSettings)
        return settings.configured and settings.send_to_users

    # Building ------------------------------------------------------------------------------
    def _row(self, form: QFormLayout, label: str, key: str, widget: QWidget) -> None:
        """A form row whose field has its problem label under it."""
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        problem = problem_label()
        problem.setObjectName(f"problem-{key}")
        column.addWidget(problem)
        box.setFocusProxy(widget)
        form.addRow(label, box)
        self._fields[key] = widget
        self._problem_labels[key] = problem

    def _line(self, form: QFormLayout, label: str, key: str, max_length: int = 256) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(key)
        edit.setMaxLength(max_length)
        edit.textChanged.connect(self.revalidate)
        self._row(form, label, key, edit)
        return edit

    def _general_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.username = self._line(form, "&Username:", "username")
        self.first_name = self._line(form, "&First name:", "first_name", 128)
        self.last_name = self._line(form, "&Last name:", "last_name", 128)
        self.email = self._line(form, "Email &address:", "email", 320)
        self.user_group = self._line(form, "User g&roup:", "user_group", 128)
        self.country = country_combo(self.company.default_country_code)
        self.country.currentIndexChanged.connect(self.revalidate)
        form.addRow("&Country code:", self.country)
        self.phone = self._line(form, "&Phone:", "phone", 32)
        self.phone.setPlaceholderText("e.g. 555-123-4567 x890")
        self.extension = self._line(form, "E&xtension:", "extension", 32)
        self.extension.setPlaceholderText("digits, * #, comma = 1 s pause")
        self.backup_country = country_combo(self.company.default_country_code)
        self.backup_country.currentIndexChanged.connect(self.revalidate)
        form.addRow("Backup country code:", self.backup_country)
        self.backup_phone = self._line(form, "&Backup phone:", "backup_phone", 32)
        self.backup_extension = self._line(form, "Backup extension:", "backup_extension", 32)
        return page

    def _method_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.method = QComboBox()
        for key, label in METHODS.items():
            self.method.addItem(label, key)
        self.method.currentIndexChanged.connect(self._on_method_changed)
        self._row(form, "Met&hod:", "method", self.method)
        self.mode = QComboBox()
        self.mode.currentIndexChanged.connect(self.revalidate)
        self._row(form, "M&ode:", "mode", self.mode)
        form.addRow(self._pin_group())
        form.addRow(self._language_group())
        return page

    def _pin_group(self) -> QGroupBox:
        group = QGroupBox("PIN")
        form = QFormLayout(group)
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(16)
        self.pin.textChanged.connect(self.revalidate)
        self.generate = QPushButton("Ge&nerate")
        self.generate.clicked.connect(self._on_generate_clicked)
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.pin, 1)
        line.addWidget(self.generate)
        row.setFocusProxy(self.pin)
        self._row(form, "P&IN:", "pin", row)
        self.confirm_pin = QLineEdit()
        self.confirm_pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm_pin.setMaxLength(16)
        self.confirm_pin.textChanged.connect(self.revalidate)
        self._row(form, "Confirm PIN:", "confirm_pin", self.confirm_pin)
        self.pin_note = QLabel()
        self.pin_note.setWordWrap(True)
        form.addRow(self.pin_note)
        self.pin_change_required = QCheckBox("PIN change &required")
        form.addRow(self.pin_change_required)
        return group

    def _language_group(self) -> QGroupBox:
        group = QGroupBox("Languages")
        form = QFormLayout(group)
        self.languages: dict[str, QComboBox] = {}
        for method in LANGUAGE_FIELDS:
            combo = QComboBox()
            for code, label in LANGUAGES.items():
                combo.addItem(label, code)
            combo.currentIndexChanged.connect(self.revalidate)
            self.languages[method] = combo
            self._row(form, LANGUAGE_LABELS[method], LANGUAGE_FIELDS[method], combo)
        return group

    # Values --------------------------------------------------------------------------------
    def _load(self) -> None:
        user, company = self.user, self.company
        method = user.method if user else company.default_method
        self.method.setCurrentIndex(self.method.findData(method))
        self._fill_modes(method, user.mode if user else company.default_mode)
        for key, combo in self.languages.items():
            code = user.languages.get(key) if user else company.language_for(key)
            combo.setCurrentIndex(max(combo.findData(code), 0))
        self.pin.setPlaceholderText("leave blank to keep the current PIN" if user else "")
        self.pin_note.setText(
            ("A PIN is set." if user.has_pin else "No PIN is set.") if user else ""
        )
        if user is None:
            return
        self.username.setText(user.username)
        self.first_name.setText(user.first_name)
        self.last_name.setText(user.last_name)
        self.email.setText(user.email)
        self.user_group.setText(user.user_group)
        self._load_phone(self.country, self.phone, self.extension, user.phone, user.extension)
        self._load_phone(
            self.backup_country,
            self.backup_phone,
            self.backup_extension,
            user.backup_phone,
            user.backup_extension,
        )
        self.pin_change_required.setChecked(user.pin_change_required)

    @staticmethod
    def _load_phone(
        combo: QComboBox, edit: QLineEdit, ext: QLineEdit, e164: str | None, extension: str
    ) -> None:
        if e164:
            combo.setCurrentIndex(max(combo.findData(phones.country_code_of(e164)), 0))
            edit.setText(phones.national_number(e164))
        ext.setText(extension)

    def _fill_modes(self, method: str, selected: str | None = None) -> None:
        fill_modes(self.mode, method, selected)

    def user_input(self) -> UserInput:
        """What the dialog holds, as the service takes it."""
        user = self.user
        return UserInput(
            username=self.username.text(),
            first_name=self.first_name.text(),
            last_name=self.last_name.text(),
            email=self.email.text(),
            user_group=self.user_group.text(),
            country_code=self.country.currentData(),
            phone=self.phone.text(),
            extension=self.extension.text(),
            backup_country_code=self.backup_country.currentData(),
            backup_phone=self.backup_phone.text(),
            backup_extension=self.backup_extension.text(),
            method=self.method.currentData(),
            mode=self.mode.currentData(),
            languages={key: combo.currentData() for key, combo in self.languages.items()},
            enabled=self.enabled.isChecked(),
            pin=self.pin.text() or None,
            pin_change_required=self.pin_change_required.isChecked(),
            source=user.source if user else "manual",
            directory_id=user.directory_id if user else None,
            dn=user.dn if user else None,
        )

    # Validation and saving -----------------------------------------------------------------
    def revalidate(self) -> None:
        problems: dict[str, str] = {}
        try:
            self.services.users.validate(self.user_input())
        except ValidationError as exc:
            problems.update(exc.problems)
        if self.pin.text() != self.confirm_pin.text():
            problems["confirm_pin"] = "the two PINs are not the same"
        self.show_problems(problems)

    def show_problems(self, problems: dict[str, str]) -> None:
        self.problems = dict(problems)
        for key, label in self._problem_labels.items():
            show_problem(label, problems.get(key))
        self.pin_note.setVisible(bool(self.pin_note.text()))
        warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        for tab in range(self.tabs.count()):
            fields = self._tab_fields[tab]
            flagged = any(key in fields for key in problems)
            self.tabs.setTabIcon(tab, warning if flagged else QIcon())
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(not problems)
        unshown = [
            f"{field_label(k)}: {v}" for k, v in problems.items() if k not in self._problem_labels
        ]
        ok.setToolTip("; ".join(unshown) if unshown else "")
        self._fit_height()

    def _fit_height(self) -> None:
        """Grow taller when wrapped problem lines need it; the width never changes."""
        layout = self.layout()
        if layout is None or not layout.hasHeightForWidth():
            return
        layout.activate()
        needed = layout.heightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), needed)

    def accept(self) -> None:
        self.revalidate()
        if self.problems:
            return
        data = self.user_input()
        try:
            send = self._can_send and self.send_email.isChecked()
            if self.user is None:
                self.saved = self.services.users.add(data, send_email=send)
            else:
                self.saved = self.services.users.update(
                    self.user.id, self.user.version, data, send_email=send
                )
        except ValidationError as exc:
            self.show_problems(exc.problems)
            messages.error(self, "The user was not saved", exc)
            return
        except ConsoleError as exc:
            messages.error(self, "The user was not saved", exc)
            return
        super().accept()

    # Slots ---------------------------------------------------------------------------------
    def _on_token_changed(self) -> None:
        """A token was given: the user's method becomes OATH Token (saved with OK)."""
        self.method.setCurrentIndex(self.method.findData("oath-token"))

    def _on_method_changed(self) -> None:
        self._fill_modes(self.method.currentData())
        self.revalidate()

    def _on_generate_clicked(self) -> None:
        data = self.user_input()
        numbers = []
        for code, text in (
            (data.country_code, data.phone),
            (data.backup_country_code, data.backup_phone),
        ):
            try:
                parsed = phones.parse_phone(text, code or 1)
            except phones.PhoneError:
                parsed = None
            numbers.append(parsed.e164 if parsed else None)
        pin = self.services.users.generate_pin(numbers)
        self.pin.setText(pin)
        self.confirm_pin.setText(pin)
        self.pin_change_required.setChecked(True)
        self.pin_note.setText(
            f"Generated PIN: <b>{pin}</b>. Give it to the user now: it is not shown again."
        )
        self.pin_note.show()
