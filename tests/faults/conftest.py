from tests.faults.small_disk import small_disk

__all__ = ["small_disk"]
