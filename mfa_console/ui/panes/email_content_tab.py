"""Email pane, Email Content tab: pick a template, edit From / Subject / text / HTML, preview.

Placeholders are inserted from the picker; problems (unknown placeholders, syntax) are shown as you
type and block saving; the preview renders the template with a sample user through the same
sandbox the outbox uses. Restore default returns to the shipped template.
"""

from __future__ import annotations

import dataclasses
import html
from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from mfa_console.app import Services
from mfa_console.core.errors import ValidationError
from mfa_console.core.mail import templates
from mfa_console.core.mail.sandbox import TemplateProblem
from mfa_console.core.mail.templates import Template
from mfa_console.ui import messages
from mfa_console.ui.panes.email_settings_tab import buddy_label

PREVIEW_DELAY_MS = 250
LABELS = {
    "from_address": "From",
    "subject": "Subject",
    "text_body": "Plain text",
    "html_body": "HTML",
}


class EmailContentTab(QWidget):
    """The template editor; the pane's Save / Revert bar saves or reverts the template shown."""

    TITLE = "Email content"
    changed = Signal()

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._template: Template | None = None
        self._loading = False
        self._target: QLineEdit | QPlainTextEdit | None = None
        self._preview_timer = QTimer(self, singleShot=True, interval=PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self._update_preview)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._build_list())
        splitter.addWidget(self._build_editor())
        splitter.addWidget(self._build_preview())
        splitter.setSizes([230, 450, 320])
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        QVBoxLayout(self).addWidget(splitter)
        self._fill_list()
        self.list.setWordWrap(True)
        self.list.setMinimumWidth(200)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setCurrentRow(0)

    # Building ------------------------------------------------------------------------------
    def _build_list(self) -> QWidget:
        widget = QWidget()
        layout = QVBoxLayout(widget)
        layout.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget()
        layout.addWidget(buddy_label("Te&mplates:", self.list))
        self.list.currentItemChanged.connect(self._on_list_current_changed)
        layout.addWidget(self.list, 1)
        hint = QLabel("The console picks the template from how each user is configured.")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        return widget

    def _build_editor(self) -> QWidget:
        widget = QWidget()
        layout = QVBoxLayout(widget)
        layout.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        self.from_address = QLineEdit()
        self.subject = QLineEdit()
        form.addRow("Fr&om:", self.from_address)
        form.addRow("S&ubject:", self.subject)
        layout.addLayout(form)
        self.bodies = QTabWidget()
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.text_body = QPlainTextEdit()
        self.html_body = QPlainTextEdit(placeholderText="Optional: leave empty to send text only.")
        for editor in (self.text_body, self.html_body):
            editor.setFont(mono)
            editor.textChanged.connect(self._on_edited)
            editor.cursorPositionChanged.connect(partial(self._set_target, editor))
        self.subject.cursorPositionChanged.connect(partial(self._set_target, self.subject))
        self.bodies.addTab(self.text_body, "Plain te&xt")
        self.bodies.addTab(self.html_body, "HTM&L")
        layout.addWidget(self.bodies, 1)
        self.from_address.textChanged.connect(self._on_edited)
        self.subject.textChanged.connect(self._on_edited)
        layout.addWidget(self._build_picker())
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #b00020;")
        layout.addWidget(self.problems)
        layout.addLayout(self._build_buttons())
        return widget

    def _set_target(self, editor: QLineEdit | QPlainTextEdit, *_args: object) -> None:
        if editor.hasFocus():
            self._target = editor

    def _build_picker(self) -> QWidget:
        widget = QWidget()
        layout = QVBoxLayout(widget)
        layout.setContentsMargins(0, 0, 0, 0)
        self.picker = QListWidget()
        self.picker.setFlow(QListView.Flow.LeftToRight)
        self.picker.setWrapping(True)
        self.picker.setResizeMode(QListView.ResizeMode.Adjust)
        self.picker.setSpacing(2)
        self.picker.setMaximumHeight(96)
        self.picker.itemActivated.connect(self._on_picker_activated)
        self.picker.currentItemChanged.connect(self._on_picker_current_changed)
        self.picker_help = QLabel("Double-click one to insert it at the cursor.")
        self.picker_help.setWordWrap(True)
        insert = QPushButton("&Insert")
        insert.clicked.connect(lambda: self._on_picker_activated(self.picker.currentItem()))
        row = QHBoxLayout()
        row.addWidget(buddy_label("&Placeholders:", self.picker))
        row.addWidget(self.picker_help, 1)
        row.addWidget(insert)
        layout.addLayout(row)
        layout.addWidget(self.picker)
        return widget

    def _on_picker_current_changed(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.picker_help.setText(item.toolTip())

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.restore_button = QPushButton("Restore &default")
        self.restore_button.clicked.connect(self._on_restore_clicked)
        row.addWidget(self.restore_button)
        row.addStretch(1)
        return row

    def _build_preview(self) -> QWidget:
        widget = QWidget()
        layout = QVBoxLayout(widget)
        layout.setContentsMargins(0, 0, 0, 0)
        self.preview_subject = QLabel()
        self.preview_subject.setWordWrap(True)
        self.preview_subject.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(QLabel("<b>Preview</b> (sample user Jane Doe)"))
        layout.addWidget(self.preview_subject)
        self.previews = QTabWidget()
        self.preview_text = QPlainTextEdit(readOnly=True)
        self.preview_html = QTextBrowser()
        self.preview_html.setOpenLinks(False)
        self.previews.addTab(self.preview_html, "HTML")
        self.previews.addTab(self.preview_text, "Text")
        layout.addWidget(self.previews, 1)
        return widget

    # Data ----------------------------------------------------------------------------------
    def _fill_list(self) -> None:
        current = self._current_key()
        self.list.blockSignals(True)
        self.list.clear()
        for template in self._services.mail.templates():
            label = template.name + ("  (edited)" if template.customized else "")
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, template.key)
            self.list.addItem(item)
            if template.key == current:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)

    def _current_key(self) -> str:
        item = self.list.currentItem() if hasattr(self, "list") else None
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else ""

    def _show(self, key: str) -> None:
        template = self._services.mail.template(key)
        self._template = template
        self._loading = True
        settings = self._services.mail.settings()
        default_from = settings.from_address or "not set"
        self.from_address.setPlaceholderText(f"Email Settings From ({default_from})")
        self.from_address.setText(template.from_address)
        self.subject.setText(template.subject)
        self.subject.setCursorPosition(0)
        self.text_body.setPlainText(template.text_body)
        self.html_body.setPlainText(template.html_body)
        self.picker.clear()
        for name, description in template.placeholders.items():
            item = QListWidgetItem(f"{{{{ {name} }}}}")
            item.setToolTip(description)
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.picker.addItem(item)
        self._loading = False
        self._on_edited()

    def edited(self) -> Template | None:
        if self._template is None:
            return None
        return dataclasses.replace(
            self._template,
            from_address=self.from_address.text().strip(),
            subject=self.subject.text(),
            text_body=self.text_body.toPlainText(),
            html_body=self.html_body.toPlainText(),
        )

    def is_modified(self) -> bool:
        edited = self.edited()
        return edited is not None and self._template is not None and edited != self._template

    # Slots ---------------------------------------------------------------------------------
    def _on_list_current_changed(
        self, current: QListWidgetItem | None, previous: QListWidgetItem | None
    ) -> None:
        if current is None:
            return
        if previous is not None and self.is_modified():
            name = self._template.name if self._template else ""
            if not messages.confirm(
                self, "Discard changes?", f"The changes to {name!r} were not applied. Discard them?"
            ):
                self.list.blockSignals(True)
                self.list.setCurrentItem(previous)
                self.list.blockSignals(False)
                return
        self._show(str(current.data(Qt.ItemDataRole.UserRole)))

    def _on_edited(self) -> None:
        if self._loading:
            return
        edited = self.edited()
        found = templates.problems(edited) if edited else {}
        self.problems.setText(
            "<br>".join(f"{LABELS[k]}: {html.escape(v)}" for k, v in found.items())
        )
        self.changed.emit()
        self.restore_button.setEnabled(bool(self._template and self._template.customized))
        self._preview_timer.start()

    def _update_preview(self) -> None:
        edited = self.edited()
        if edited is None:
            return
        try:
            rendered = self._services.mail.preview(edited)
        except TemplateProblem as exc:
            self.preview_subject.setText(f"Cannot preview: {exc}")
            return
        self.preview_subject.setText(f"Subject: {rendered.subject}")
        self.preview_text.setPlainText(rendered.text)
        if rendered.html:
            self.preview_html.setHtml(rendered.html)
        else:
            self.preview_html.setPlainText(rendered.text)

    def _on_picker_activated(self, item: QListWidgetItem | None) -> None:
        """Insert the placeholder where the cursor was last (subject or a body)."""
        if item is None:
            return
        text = "{{ " + str(item.data(Qt.ItemDataRole.UserRole)) + " }}"
        target = self._target
        if isinstance(target, QLineEdit):
            target.insert(text)
        else:
            if target is None:
                target = self.text_body
            self.bodies.setCurrentWidget(target)
            target.insertPlainText(text)
        target.setFocus()

    def save(self) -> None:
        """Store the template shown (raises ``ConsoleError``; the Save bar shows it)."""
        edited = self.edited()
        if edited is None:
            return
        found = templates.problems(edited)
        if found:
            raise ValidationError(found, LABELS)
        self._services.mail.save_template(edited)
        self._fill_list()
        self._show(edited.key)

    def revert(self) -> None:
        if self._template is not None:
            self._show(self._current_key())

    def _on_restore_clicked(self) -> None:
        if self._template is None:
            return
        if not messages.confirm(
            self,
            "Restore default?",
            f"Replace {self._template.name!r} with the template shipped with MFA Console?",
        ):
            return
        self._services.mail.restore_default(self._template.key)
        self._fill_list()
        self._show(self._template.key)
