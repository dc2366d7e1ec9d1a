"""Real directory servers for tests: OpenLDAP slapd and a Samba Active Directory DC.

The fixtures are registered once for the session by ``pytest_plugins`` in tests/conftest.py;
every test directory uses them by name (import only the helper classes).

Fixtures:
- ``test_cas`` (session, made once per run for all its workers): ``.trusted`` / ``.untrusted``
  CertFiles (``ca_file``, ``cert_file``, ``key_file``). Both servers present a certificate from
  ``trusted`` (SAN localhost, 127.0.0.1, dc1.example.test); give a client ``untrusted.ca_file`` to
  see verification fail.
- ``slapd`` (session): a SlapdServer on free ports: ``.url`` (ldap://localhost:P, StartTLS works),
  ``.ldaps_url``, ``.suffix`` dc=example,dc=test, ``.people``/``.groups`` OUs, ``.root_dn`` /
  ``.root_pw``, ``.reader_dn`` / ``.reader_pw`` (a plain bind account); helpers ``add_user(uid,
  ou, **attrs)``, ``add_users(entries)``, ``add_ou``, ``add_group(name, member_dns)``, ``modify``,
  ``rename``, ``delete``, ``admin()`` (an ldap3 connection as root). Shared by the session: put
  each test's entries under its own ``add_ou(...)``.
- ``make_slapd`` (function): ``make_slapd(preload=users_ldif(100_000))`` gives a private slapd a
  test may ``stop()`` / ``start()`` again; ``slapd.users_ldif`` / ``slapd.user_entry`` build data.
- ``samba_ad`` (session): a SambaDC (realm EXAMPLE.TEST) on localhost 389 (simple binds refused:
  strongerAuthRequired) and 636; ``.base_dn``, ``.admin_upn`` / ``.admin_dn`` / ``.admin_pw``,
  ``.user_pw``; helpers ``create_ou(name)`` (unique suffix added), ``create_user(sam, ou, given=,
  sn=, mail=, telephoneNumber=..., disabled=)``, ``create_group(name, ou, members)`` (global
  security; members may be groups), ``add_members``, ``remove_members``, ``set_disabled``,
  ``rename``, ``move``, ``delete``, ``modify``, ``object_guid``. Ports are fixed, so the workers of
  one run share the DC, and file locks in the system temp dir make another concurrent run wait
  until the last of them is done with it. Account lockout threshold: 3 bad passwords.
"""
