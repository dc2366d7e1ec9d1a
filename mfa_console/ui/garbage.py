"""Python's cyclic garbage collection on the GUI thread only.

Left automatic, the collector runs in whichever thread happens to allocate, and can free a Qt
object (a dialog in a reference cycle, say) from a worker thread, which crashes Qt. So automatic
collection is switched off and this timer collects on the GUI thread, generation by generation,
when the usual thresholds are passed (the approach of qutebrowser).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 1000


class GarbageCollector(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer.start()

    def _on_timer_timeout(self) -> None:
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self._thresholds[generation]:
                gc.collect(generation)
                return


def collect_on_gui_thread(parent: QObject) -> GarbageCollector:
    """Install the collector (once per application); returns it."""
    existing = parent.findChild(GarbageCollector)
    return existing if isinstance(existing, GarbageCollector) else GarbageCollector(parent)
