"""Reports as real servers write them, from RFC 3464 (DSN), RFC 5965 (ARF) and the servers' own formats.

Each takes the return path the report is delivered to (a VERP address, or a plain one), the address
that failed and the Message-ID of the original, so a test can aim it at a delivery of its own.
"""

import secrets


def _id() -> str:
    return f"<{secrets.token_hex(8)}@reports.example>"


def _crlf(text: str) -> bytes:
    return text.lstrip("\n").replace("\r\n", "\n").replace("\n", "\r\n").encode()


def postfix_dsn(
    return_path: str,
    recipient: str,
    original_id: str,
    *,
    status: str = "5.1.1",
    action: str = "failed",
    report_id: str | None = None,
) -> bytes:
    """Postfix's "Undelivered Mail Returned to Sender", the original's headers as text/rfc822-headers."""
    diagnostic = (
        f"smtp; 550 5.1.1 <{recipient}>: Recipient address rejected: User unknown in virtual mailbox table"
        if status.startswith("5")
        else f"smtp; 452 4.2.2 <{recipient}>: Mailbox full"
    )
    subject = (
        "Undelivered Mail Returned to Sender" if action == "failed" else "Delayed Mail (still being retried)"
    )
    return _crlf(f"""
Return-Path: <>
Delivered-To: {return_path}
Received: by mail.partner.example (Postfix) id 4QzX1b2c3d; Wed,  2 Dec 2026 12:00:05 +0000 (UTC)
Date: Wed,  2 Dec 2026 12:00:05 +0000 (UTC)
From: MAILER-DAEMON@mail.partner.example (Mail Delivery System)
Subject: {subject}
To: {return_path}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="4QzX1b2c3d.1733140805/mail.partner.example"
Message-Id: {report_id or _id()}

This is a MIME-encapsulated message.

--4QzX1b2c3d.1733140805/mail.partner.example
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.partner.example.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<{recipient}>: host mx.partner.example[192.0.2.10] said: 550 5.1.1
    <{recipient}>: Recipient address rejected: User unknown

--4QzX1b2c3d.1733140805/mail.partner.example
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.partner.example
X-Postfix-Queue-ID: 4QzX1b2c3d
X-Postfix-Sender: rfc822; {return_path}
Arrival-Date: Wed,  2 Dec 2026 12:00:04 +0000 (UTC)

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: {action}
Status: {status}
Remote-MTA: dns; mx.partner.example
Diagnostic-Code: {diagnostic}

--4QzX1b2c3d.1733140805/mail.partner.example
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

Return-Path: <{return_path}>
From: =?utf-8?b?4YOZ4YOd4YOb4YOY4YOh4YOY4YOY4YOhIOGDoeGDkOGDm+GDk+GDmOGDleGDnQ==?= <newsroom@newsroom.test>
To: {recipient}
Subject: November news
Message-ID: {original_id}
Date: Wed, 02 Dec 2026 12:00:00 +0000

--4QzX1b2c3d.1733140805/mail.partner.example--
""")


def exchange_dsn(return_path: str, recipient: str, original_id: str) -> bytes:
    """Exchange Online's "Undeliverable:" with 5.1.10, the whole original attached as message/rfc822."""
    return _crlf(f"""
From: postmaster@ministry.gov.ge
To: {return_path}
Date: Wed, 2 Dec 2026 12:01:00 +0000
Content-Type: multipart/report; report-type=delivery-status;
	boundary="_000_EX01MBX_"
Content-Language: en-US
Message-ID: {_id()}
Subject: Undeliverable: November news
Auto-Submitted: auto-replied
X-MS-Exchange-Message-Is-Ndr:
MIME-Version: 1.0

--_000_EX01MBX_
Content-Type: text/plain; charset="us-ascii"

Delivery has failed to these recipients or groups:

{recipient}
The email address you entered couldn't be found.

Diagnostic information for administrators:
Generating server: EX01.ministry.gov.ge
Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'

--_000_EX01MBX_
Content-Type: message/delivery-status

Reporting-MTA: dns;EX01.ministry.gov.ge
Received-From-MTA: dns;mail.newsroom.test
Arrival-Date: Wed, 2 Dec 2026 12:00:59 +0000

Final-Recipient: rfc822;{recipient}
Action: failed
Status: 5.1.10
Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup

--_000_EX01MBX_
Content-Type: message/rfc822

Return-Path: <{return_path}>
From: Secretariat <newsroom@newsroom.test>
To: <{recipient}>
Subject: November news
Message-ID: {original_id}
Date: Wed, 02 Dec 2026 12:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

The Commission's latest news.

--_000_EX01MBX_--
""")


def gmail_dsn(to: str, recipient: str, original_id: str) -> bytes:
    """Gmail's "Delivery Status Notification (Failure)": it names the original by its headers only."""
    return _crlf(f"""
Delivered-To: {to}
Return-Path: <>
Date: Wed, 02 Dec 2026 04:02:00 -0800 (PST)
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: {to}
Auto-Submitted: auto-replied
Subject: Delivery Status Notification (Failure)
Message-ID: {_id()}
MIME-Version: 1.0
Content-Type: multipart/report; boundary="000000000000abcdef"; report-type=delivery-status

--000000000000abcdef
Content-Type: text/plain; charset="UTF-8"

** Address not found **

Your message wasn't delivered to {recipient} because the address couldn't be found,
or is unable to receive mail.

--000000000000abcdef
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com
Received-From-MTA: dns; newsroom@newsroom.test
Arrival-Date: Wed, 02 Dec 2026 04:01:59 -0800 (PST)

Final-Recipient: rfc822; {recipient}
Action: failed
Status: 5.1.1
Remote-MTA: dns; gmail-smtp-in.l.google.com. (2a00:1450:400c:c0b::1a, the server for the domain gmail.com.)
Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does not exist.
 550 5.1.1 https://support.google.com/mail/?p=NoSuchUser
Last-Attempt-Date: Wed, 02 Dec 2026 04:02:00 -0800 (PST)

--000000000000abcdef
Content-Type: text/rfc822-headers

From: Secretariat <newsroom@newsroom.test>
To: {recipient}
Subject: November news
Message-ID: {original_id}
Date: Wed, 02 Dec 2026 12:00:00 +0000

--000000000000abcdef--
""")


def exim_plain(return_path: str, recipient: str, original_id: str) -> bytes:
    """Exim's plain-text bounce (no DSN): X-Failed-Recipients and the original quoted in the body."""
    return _crlf(f"""
Return-path: <>
Envelope-to: {return_path}
From: Mail Delivery System <Mailer-Daemon@mx.partner.example>
To: {return_path}
Subject: Mail delivery failed: returning message to sender
Message-Id: {_id()}
X-Failed-Recipients: {recipient}
Auto-Submitted: auto-replied
Date: Wed, 02 Dec 2026 12:03:00 +0000

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  {recipient}
    SMTP error from remote mail server after RCPT TO:<{recipient}>:
    550 5.1.1 No such user here

------ This is a copy of the message, including all the headers. ------

Return-path: <{return_path}>
From: Secretariat <newsroom@newsroom.test>
To: {recipient}
Subject: November news
Message-ID: {original_id}

The Commission's latest news.
""")


def arf_complaint(
    return_path: str, recipient: str, original_id: str, *, report_id: str | None = None
) -> bytes:
    """An RFC 5965 abuse report from a feedback loop, the original attached."""
    return _crlf(f"""
From: Feedback Loop <feedback@fbl.mailprovider.example>
To: {return_path}
Date: Wed, 02 Dec 2026 12:10:00 +0000
Subject: FW: November news
Message-ID: {report_id or _id()}
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report;
	boundary="part1_13d.2e68ed54_boundary"

--part1_13d.2e68ed54_boundary
Content-Type: text/plain; charset="US-ASCII"
Content-Transfer-Encoding: 7bit

This is an email abuse report for an email message received from IP
192.0.2.25 on Wed, 02 Dec 2026 12:00:00 +0000.

--part1_13d.2e68ed54_boundary
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: SomeGenerator/1.0
Version: 1
Original-Mail-From: <{return_path}>
Original-Rcpt-To: <{recipient}>
Arrival-Date: Wed, 02 Dec 2026 12:00:00 +0000
Reported-Domain: newsroom.test
Source-IP: 192.0.2.25

--part1_13d.2e68ed54_boundary
Content-Type: message/rfc822
Content-Disposition: inline

Return-Path: <{return_path}>
From: Secretariat <newsroom@newsroom.test>
To: {recipient}
Subject: November news
Message-ID: {original_id}
Date: Wed, 02 Dec 2026 12:00:00 +0000

The Commission's latest news.

--part1_13d.2e68ed54_boundary--
""")


def vacation_reply(to: str) -> bytes:
    """An out-of-office answer: no bounce, kept for people."""
    return _crlf(f"""
From: Nino <nino@partner.example>
To: {to}
Subject: Out of office: November news
Auto-Submitted: auto-replied
Message-ID: {_id()}
Date: Wed, 02 Dec 2026 12:05:00 +0000

I am away until 10 December and will read your message on my return.
""")


JUNK = b"\x00\xff\xfe not a message at all \r\n\r\n\x80\x81--\r\n"


def human_reply(to: str) -> bytes:
    """A person writing back to the return path: kept for people."""
    return _crlf(f"""
From: John <john@partner.example>
To: {to}
Subject: Re: November news
Message-ID: {_id()}
Content-Type: text/plain; charset=utf-8

Thanks, could you also send the annual report?
""")
