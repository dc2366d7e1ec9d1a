"""The default email templates: ``catalog.json`` (names, audiences, subjects), ``<key>.txt``
and ``<key>.html`` bodies. Edits live in the data file; Restore default returns to these.
"""
