"""What does not fit: widgets squeezed below what their layout needs, labels and buttons whose
text is cut, windows that grew past the size they were given. Used by the size tests and by the
scaling probe (``scaling_probe.py``), which runs it under ``QT_SCALE_FACTOR``."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QDialog,
    QLabel,
    QPushButton,
    QRadioButton,
    QTabWidget,
    QWidget,
    QWizard,
)

SLACK = 1  # a pixel of rounding at fractional scale factors is not a cut


def _name(widget: QWidget) -> str:
    text = ""
    if isinstance(widget, QLabel | QAbstractButton):
        text = " ".join(widget.text().split())[:50]
    return f"{type(widget).__name__}({widget.objectName() or text!r})"


def _cut_text(widget: QWidget) -> str | None:
    """Why ``widget``'s text is cut, or None."""
    if isinstance(widget, QLabel):
        if not widget.text() or (widget.pixmap() is not None and not widget.pixmap().isNull()):
            return None
        if widget.wordWrap():
            need = widget.heightForWidth(widget.width())
            return (
                f"wraps to {need} px high in {widget.height()}"
                if need > widget.height() + SLACK
                else None
            )
        need = widget.sizeHint().width()
        return (
            f"needs {need} px wide, has {widget.width()}" if need > widget.width() + SLACK else None
        )
    if isinstance(widget, QPushButton | QCheckBox | QRadioButton) and widget.text():
        need = widget.sizeHint().width()
        return (
            f"needs {need} px wide, has {widget.width()}" if need > widget.width() + SLACK else None
        )
    return None


def _squeezed(widget: QWidget) -> str | None:
    layout = widget.layout()
    if layout is None:
        return None
    need = layout.minimumSize()
    if need.width() > widget.width() + SLACK or need.height() > widget.height() + SLACK:
        return (
            f"layout needs {need.width()}x{need.height()}, has {widget.width()}x{widget.height()}"
        )
    return None


def problems_in(window: QWidget, where: str) -> list[str]:
    """Every visible widget of ``window`` whose text is cut or whose layout is squeezed."""
    found = []
    for widget in [window, *window.findChildren(QWidget)]:
        if widget is not window and not widget.isVisibleTo(window):
            continue
        for check in (_cut_text, _squeezed):
            why = check(widget)
            if why:
                found.append(f"{where}: {_name(widget)} {why}")
    return found


def window_problems(window: QWidget, where: str, limit: QSize) -> list[str]:
    """``window`` needs more than ``limit`` (its minimum size), or has grown past it."""
    found = []
    need = window.minimumSizeHint().expandedTo(window.minimumSize())
    if need.width() > limit.width() or need.height() > limit.height():
        found.append(f"{where}: needs at least {need.width()}x{need.height()}")
    if window.width() > limit.width() or window.height() > limit.height():
        found.append(f"{where}: grew to {window.width()}x{window.height()}")
    return found


def each_tab(window: QWidget) -> list[tuple[str, Callable[[], None]]]:
    """``(name, show)`` for the window as shown and for every tab of its visible tab widgets."""
    steps: list[tuple[str, Callable[[], None]]] = [("", lambda: None)]
    for tabs in [t for t in window.findChildren(QTabWidget) if t.isVisibleTo(window)]:
        for index in range(tabs.count()):
            name = tabs.tabText(index).replace("&", "")
            steps.append((name, lambda t=tabs, i=index: t.setCurrentIndex(i)))  # type: ignore[misc]
    return steps


def settle() -> None:
    from mfa_console.ui.tasks import wait_for_tasks

    wait_for_tasks(20)
    for _ in range(3):
        QApplication.processEvents()


def check_dialog(dialog: QDialog, name: str, limit: QSize) -> list[str]:
    """Show ``dialog`` at its own size; nothing cut on any of its tabs, and it fits ``limit``."""
    dialog.show()
    settle()
    found = []
    for tab, show in each_tab(dialog):
        show()
        settle()
        where = f"dialog {name}" + (f"/{tab}" if tab else "")
        found += window_problems(dialog, where, limit) + problems_in(dialog, where)
    dialog.close()
    return found


def walk_wizard(wizard: QWizard, limit: QSize) -> tuple[list[str], list[str]]:
    """Every page of the configuration wizard as a person reaches it (Next, then Skip This
    Step on each guided step): the page titles, and what does not fit. The wizard must keep
    the size it opened with."""
    wizard.show()
    settle()
    opened = wizard.size()
    titles: list[str] = []
    found: list[str] = []
    while True:
        title = wizard.currentPage().title() or "Welcome"
        titles.append(title)
        where = f"wizard page {title}"
        found += window_problems(wizard, where, limit) + problems_in(wizard, where)
        if wizard.size() != opened:
            found.append(
                f"{where}: the wizard grew from {opened.toTuple()} to {wizard.size().toTuple()}"
            )
        skip = wizard.button(QWizard.WizardButton.CustomButton1)
        if wizard.currentId() == wizard.startId():
            wizard.welcome.skip_check.setChecked(False)  # type: ignore[attr-defined]
            wizard.next()
        elif skip.isVisible():
            skip.click()
        else:
            break
        settle()
    wizard.close()
    return titles, found
