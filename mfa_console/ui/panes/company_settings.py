"""The Company Settings pane, General tab: user defaults, languages, PIN rules, fallbacks.

Every field of ``CompanySettings``. Values are checked by ``CompanySettings.validate()`` as they
change (each problem under its field) and again by the settings store on Save; Revert reads the
stored values back. Ranges come from the core constants.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from mfa_console.app import Services
from mfa_console.core.company import (
    AUTH_FALLBACKS,
    PIN_EXPIRY_RANGE,
    PIN_HISTORY_RANGE,
    PIN_MIN_LENGTH_RANGE,
    CompanySettings,
)
from mfa_console.core.errors import ConsoleError, ValidationError
from mfa_console.core.users.methods import LANGUAGES, METHODS
from mfa_console.ui import messages
from mfa_console.ui.choices import choice_combo, fill_modes
from mfa_console.ui.dialogs.user_edit import country_combo, problem_label, show_problem
from mfa_console.ui.panes.username_resolution_tab import UsernameResolutionTab

LANGUAGE_ROWS = (
    ("language_phone_call", "Phone call language:"),
    ("language_text_message", "Text message language:"),
    ("language_mobile_app", "Mobile app language:"),
    ("language_oath_token", "OATH token language:"),
)


def _spin(bounds: tuple[int, int], suffix: str = "") -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(*bounds)
    spin.setSuffix(suffix)
    spin.setMinimumWidth(120)
    return spin


def _form(parent: QWidget | None = None) -> QFormLayout:
    form = QFormLayout(parent)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
    return form


class CompanySettingsPane(QWidget):
    """General company settings with Save and Revert."""

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.problems: dict[str, str] = {}
        self.stored: CompanySettings | None = None
        self._problem_labels: dict[str, QLabel] = {}
        self._build_widgets()
        tabs = QTabWidget()
        tabs.addTab(self._scrolled(self._general_tab()), "&General")
        from mfa_console.ui.panes.company_auth_tab import CompanyAuthTab

        tabs.addTab(self._scrolled(CompanyAuthTab(services)), "&Lockout and Log")
        self.resolution_tab = UsernameResolutionTab(services)
        self.resolution_tab.changed.connect(self.revalidate)
        tabs.addTab(self.resolution_tab, "&Username Resolution")
        self.save_button = QPushButton("&Save")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("Re&vert")
        self.revert_button.clicked.connect(self.revert)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Company Settings</h2>"))
        layout.addWidget(tabs, 1)
        layout.addLayout(buttons)
        self.revert()

    # Building ------------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.company_name = QLineEdit()
        self.company_name.setMaxLength(128)
        self.company_name.setMinimumWidth(320)
        self.when_internet_not_accessible = choice_combo(AUTH_FALLBACKS, min_width=220)
        self.default_method = choice_combo(METHODS, min_width=220)
        self.default_method.currentIndexChanged.connect(self._on_method_changed)
        self.default_mode = QComboBox()
        self.default_mode.setMinimumWidth(220)
        self.enable_global_services = QCheckBox("Enable &Global Services")
        self.enable_global_services.setToolTip(
            "Allow calls and text messages to countries in rate zones that carry a charge."
        )
        self.user_can_change_phone = QCheckBox("User can change &phone")
        self.when_user_disabled = choice_combo(AUTH_FALLBACKS, min_width=220)
        self.default_country_code = country_combo(1)
        self.default_country_code.setMinimumWidth(320)
        self.languages = {
            name: choice_combo(LANGUAGES, min_width=220) for name, _label in LANGUAGE_ROWS
        }
        self.user_can_change_pin = QCheckBox("User can change P&IN")
        self.pin_min_length = _spin(PIN_MIN_LENGTH_RANGE, " digits")
        self.prevent_weak_pins = QCheckBox("Prevent &weak PINs")
        self.prevent_weak_pins.setToolTip(
            "Refuse PINs with three sequential or repeated digits, or four digits of the user's "
            "phone number."
        )
        self.pin_expiration_enabled = QCheckBox("E&xpiration days:")
        self.pin_expiration_days = _spin(PIN_EXPIRY_RANGE, " days")
        self.pin_expiration_enabled.toggled.connect(self.pin_expiration_days.setEnabled)
        self.pin_history = _spin(PIN_HISTORY_RANGE, " PINs")
        for widget in self._inputs().values():
            _connect_changed(widget, self._on_value_changed)

    def _inputs(self) -> dict[str, QWidget]:
        """The widget of each CompanySettings field, by field name."""
        return {
            "company_name": self.company_name,
            "when_internet_not_accessible": self.when_internet_not_accessible,
            "default_method": self.default_method,
            "default_mode": self.default_mode,
            "enable_global_services": self.enable_global_services,
            "user_can_change_phone": self.user_can_change_phone,
            "when_user_disabled": self.when_user_disabled,
            "default_country_code": self.default_country_code,
            **self.languages,
            "user_can_change_pin": self.user_can_change_pin,
            "pin_min_length": self.pin_min_length,
            "prevent_weak_pins": self.prevent_weak_pins,
            "pin_expiration_enabled": self.pin_expiration_enabled,
            "pin_expiration_days": self.pin_expiration_days,
            "pin_history": self.pin_history,
        }

    def _field(self, key: str, widget: QWidget) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        problem = problem_label()
        problem.setObjectName(f"problem-{key}")
        column.addWidget(problem)
        self._problem_labels[key] = problem
        return box

    def _general_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        top = _form()
        top.addRow("Company &name:", self._field("company_name", self.company_name))
        top.addRow(
            "When internet is not accessible:",
            self._field("when_internet_not_accessible", self.when_internet_not_accessible),
        )
        top.addRow(
            "When user is disabled:", self._field("when_user_disabled", self.when_user_disabled)
        )
        top.addRow(
            "Default country code:",
            self._field("default_country_code", self.default_country_code),
        )
        layout.addLayout(top)
        row = QHBoxLayout()
        row.addWidget(self._defaults_group(), 1)
        row.addWidget(self._languages_group(), 1)
        layout.addLayout(row)
        layout.addWidget(self._pin_group())
        layout.addStretch(1)
        return page

    def _defaults_group(self) -> QGroupBox:
        group = QGroupBox("User defaults")
        form = _form(group)
        form.addRow("&Method:", self._field("default_method", self.default_method))
        form.addRow("M&ode:", self._field("default_mode", self.default_mode))
        form.addRow(self.enable_global_services)
        form.addRow(self.user_can_change_phone)
        return group

    def _languages_group(self) -> QGroupBox:
        group = QGroupBox("Default languages")
        form = _form(group)
        for name, label in LANGUAGE_ROWS:
            form.addRow(label, self._field(name, self.languages[name]))
        return group

    def _pin_group(self) -> QGroupBox:
        group = QGroupBox("Default PIN rules")
        form = _form(group)
        form.addRow(self.user_can_change_pin)
        form.addRow("Minimum &length:", self._field("pin_min_length", self.pin_min_length))
        form.addRow(self.prevent_weak_pins)
        form.addRow(
            self.pin_expiration_enabled,
            self._field("pin_expiration_days", self.pin_expiration_days),
        )
        form.addRow("PIN &history:", self._field("pin_history", self.pin_history))
        return group

    @staticmethod
    def _scrolled(page: QWidget) -> QScrollArea:
        area = QScrollArea()
        area.setWidget(page)
        area.setWidgetResizable(True)
        area.setFrameShape(QScrollArea.Shape.NoFrame)
        return area

    # Values --------------------------------------------------------------------------------
    def values(self) -> CompanySettings:
        """The settings the pane shows (not validated)."""
        data = {key: _value(widget) for key, widget in self._inputs().items()}
        return CompanySettings(**data)

    def load(self, settings: CompanySettings) -> None:
        for key, widget in self._inputs().items():
            if key == "default_mode":
                continue
            _set_value(widget, getattr(settings, key))
        self._fill_modes(settings.default_method, settings.default_mode)
        self.pin_expiration_days.setEnabled(settings.pin_expiration_enabled)
        self.stored = settings
        self.revalidate()

    def revert(self) -> None:
        self.resolution_tab.load()
        self.load(self.services.settings.load(CompanySettings))

    def save(self) -> bool:
        """Validate and store; problems are shown under their fields and nothing is stored."""
        settings = self.values()
        try:
            self.services.settings.save(settings)
            self.resolution_tab.save()
        except ValidationError as exc:
            self.show_problems(exc.problems)
            messages.error(self, "Company settings were not saved", exc)
            return False
        except ConsoleError as exc:
            messages.error(self, "Company settings were not saved", exc)
            return False
        self.stored = settings
        self.revalidate()
        return True

    def revalidate(self) -> None:
        try:
            self.values().validate()
        except ValidationError as exc:
            self.show_problems(exc.problems)
        else:
            self.show_problems({})

    def show_problems(self, problems: dict[str, str]) -> None:
        self.problems = dict(problems)
        for key, label in self._problem_labels.items():
            show_problem(label, problems.get(key))
        tab = getattr(self, "resolution_tab", None)
        tab_problems = tab.problems() if tab is not None and tab.stored is not None else {}
        changed = self.values() != self.stored or (tab is not None and tab.is_changed())
        self.save_button.setEnabled(changed and not problems and not tab_problems)
        self.revert_button.setEnabled(changed)

    # Slots ---------------------------------------------------------------------------------
    def _fill_modes(self, method: str, selected: str | None = None) -> None:
        fill_modes(self.default_mode, method, selected)

    def _on_method_changed(self) -> None:
        self._fill_modes(self.default_method.currentData())
        self.revalidate()

    def _on_value_changed(self) -> None:
        self.revalidate()


def _value(widget: QWidget) -> Any:
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QSpinBox):
        return widget.value()
    if isinstance(widget, QComboBox):
        return widget.currentData()
    if isinstance(widget, QLineEdit):
        return widget.text().strip()
    raise TypeError(widget)


def _set_value(widget: QWidget, value: Any) -> None:
    if isinstance(widget, QCheckBox):
        widget.setChecked(bool(value))
    elif isinstance(widget, QSpinBox):
        widget.setValue(int(value))
    elif isinstance(widget, QComboBox):
        widget.setCurrentIndex(max(widget.findData(value), 0))
    elif isinstance(widget, QLineEdit):
        widget.setText(str(value))


def _connect_changed(widget: QWidget, slot: Any) -> None:
    if isinstance(widget, QCheckBox):
        widget.toggled.connect(slot)
    elif isinstance(widget, QSpinBox):
        widget.valueChanged.connect(slot)
    elif isinstance(widget, QComboBox):
        widget.currentIndexChanged.connect(slot)
    elif isinstance(widget, QLineEdit):
        widget.textChanged.connect(slot)
