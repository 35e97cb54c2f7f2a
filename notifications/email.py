"""The one place email leaves the service, and the templates that word it.

Everything goes through :func:`send_email`. It uses Django's email backend (SMTP in production
via ``EMAIL_URL``; a file or console backend in ``make run``; in-memory in tests). To send
through GOV.UK Notify instead, add a branch here on a setting: callers do not change.

Templates live in ``notifications/templates/notifications/email/<name>.subject.txt``, ``.txt`` and
``.html``. The plain-text part is always sent; the HTML part is an alternative.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

TEMPLATE_DIR = "notifications/email"


@dataclass(frozen=True)
class Attachment:
    filename: str
    mimetype: str
    content: bytes

    def to_json(self) -> dict[str, str]:
        return {
            "filename": self.filename,
            "mimetype": self.mimetype,
            "content_base64": base64.b64encode(self.content).decode("ascii"),
        }

    @classmethod
    def from_json(cls, data: dict[str, str]) -> Attachment:
        return cls(data["filename"], data["mimetype"], base64.b64decode(data["content_base64"]))


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)


def render_email(template: str, context: dict[str, Any]) -> RenderedEmail:
    """Word an email from its three templates. The subject is one line, whatever the template's whitespace."""
    context = {
        "service_name": settings.SERVICE_NAME,
        "site_url": getattr(settings, "SITE_URL", "http://127.0.0.1:8000"),
        **context,
    }
    subject = " ".join(render_to_string(f"{TEMPLATE_DIR}/{template}.subject.txt", context).split())
    text = render_to_string(f"{TEMPLATE_DIR}/{template}.txt", context).strip() + "\n"
    html = render_to_string(f"{TEMPLATE_DIR}/{template}.html", context)
    return RenderedEmail(subject=subject, text=text, html=html)


def send_email(
    *,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    attachments: tuple[Attachment, ...] | list[Attachment] = (),
    headers: dict[str, str] | None = None,
) -> None:
    """Send one email to one address. Raises the backend's error (``smtplib.SMTPException``, ``OSError``)."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers or {},
    )
    if html:
        message.attach_alternative(html, "text/html")
    for attachment in attachments:
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    message.send(fail_silently=False)
