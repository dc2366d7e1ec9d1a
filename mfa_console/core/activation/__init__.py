"""Activation: the console's client and service, and the activation service it talks to.

The console side (``client``, ``service``, ``settings``) activates this server with one-time
credentials over HTTPS and keeps the issued token only in the OS keyring. The service side
(``server/``) is what ``mfa-console activation-service`` runs on the activation host.
"""
