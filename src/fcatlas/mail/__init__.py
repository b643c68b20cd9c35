"""fcatlas.mail — e-mail: building the Swedish messages, sending them through SMTP, the mail log.

* :mod:`.config` — :class:`~.config.MailConfig` read from ``FCATLAS_SMTP_URL``, ``FCATLAS_MAIL_FROM``
  and ``FCATLAS_PUBLIC_URL`` (no SMTP URL: no mail is sent);
* :mod:`.messages` — one message per kind, plain text and HTML from the Jinja2 templates in
  ``templates/`` (Swedish, dates and times in Swedish time);
* :mod:`.smtp` — sending through :mod:`smtplib` (``smtp://``, ``smtps://``, ``?starttls``);
* :mod:`.models` and :mod:`.log` — the mail log (Alembic branch ``mail``): every mail sent, with
  its recipient and time, under a unique key that makes sure no mail goes out twice.
"""
