"""What the TOTP enrolment and recovery-code pages show, shared by the account page (turning it
on while logged in) and the login (an admin who must enrol first): the secret as text to type,
its `otpauth://` URI and the same URI as a QR code drawn inline as SVG (segno, on this machine:
no image or script from elsewhere)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import segno
from markupsafe import Markup

from staff import totp

if TYPE_CHECKING:
    from starlette.responses import Response

    from staff import StaffAccount

ISSUER = "绿色铜仁助手"


def qr_svg(uri: str) -> Markup:
    """The QR code of `uri` as an inline <svg> (paths only: no text of ours inside it)."""
    code = segno.make(uri, error="m")
    out = io.BytesIO()
    code.save(out, kind="svg", xmldecl=False, svgns=True, scale=4, border=4, title="二维码")
    # segno's own markup, paths built from our URI: nothing a person typed is inside it.
    return Markup(out.getvalue().decode())


def enrolment(
    account: StaffAccount, secret: str, *, action: str, next_path: str = "/"
) -> dict[str, Any]:
    uri = totp.provisioning_uri(secret, account=account.name, issuer=ISSUER)
    return {
        "account_name": account.name,
        "issuer": ISSUER,
        "secret": totp.grouped(secret),
        "uri": uri,
        "qr": qr_svg(uri),
        "action": action,
        "ask_password": action.startswith("/account"),  # at login it has just been typed
        "next": next_path,
        "error": None,
    }


def unstored(response: Response) -> Response:
    """A page showing a secret or recovery codes: no browser or proxy cache keeps it."""
    response.headers["Cache-Control"] = "no-store"
    return response
