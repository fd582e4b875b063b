"""The confirmation mail's HTML part: the plain part's texts, the link a button, nothing remote."""

from html import escape
from typing import Final

# Inline styles only (mail clients drop <style> blocks and remote assets); colours pass WCAG AA contrast.
_PAGE: Final = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{subject}</title>
</head>
<body style="margin:0;padding:0;background:#f3f2f1;">
<main style="max-width:600px;margin:0 auto;padding:24px 16px;background:#ffffff;\
font-family:'Noto Sans Georgian','Noto Sans',Arial,sans-serif;font-size:16px;line-height:1.5;color:#0b0c0c;">
<h1 style="font-size:22px;line-height:1.3;margin:0 0 16px;">{subject}</h1>
<p style="margin:0 0 16px;">{greeting}</p>
{body}
<p style="margin:24px 0;"><a href="{url}" style="display:inline-block;padding:12px 20px;background:#00703c;\
color:#ffffff;text-decoration:none;font-weight:bold;border-radius:4px;">{button}</a></p>
<p style="margin:0 0 16px;font-size:14px;color:#505a5f;">{link_label} <a href="{url}" \
style="color:#1d70b8;word-break:break-all;">{url}</a></p>
<p style="margin:0 0 16px;">{ignore}</p>
<p style="margin:0;">— {signature}</p>
</main>
</body>
</html>
"""


def confirmation_html(texts: dict[str, str], *, lang: str, greeting: str, body: str, url: str) -> str:
    """The confirmation mail as an HTML page in `lang`, every text escaped."""
    paragraphs = "\n".join(
        f'<p style="margin:0 0 16px;">{escape(line)}</p>' for line in body.split("\n") if line.strip()
    )
    return _PAGE.format(
        lang=escape(lang),
        subject=escape(texts["subject"]),
        greeting=escape(greeting),
        body=paragraphs,
        url=escape(url),
        button=escape(texts["button"]),
        link_label=escape(texts["link_label"]),
        ignore=escape(texts["ignore"]),
        signature=escape(texts["signature"]),
    )
