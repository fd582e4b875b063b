"""The sign-up and leaving pages' CSS (fields, hints, the error summary), added to the pages' one style."""

from typing import Final

# GOV.UK Design System's patterns, small: a visible focus, full-width fields that fit 320 px, a red
# error summary whose links lead to the fields, and a honeypot field placed off-screen.
FORM_STYLE: Final = (
    "*{box-sizing:border-box}main{overflow-wrap:break-word}.field{margin:1rem 0}"
    "label.block{font-weight:600}.hint{color:#4a5563;margin:.2rem 0}"
    "input[type=email],input[type=text]{font:inherit;width:100%;max-width:28rem;padding:.45rem;"
    "border:2px solid #1b1f24;border-radius:4px}"
    "input:focus,a:focus,button:focus{outline:3px solid #f1c232;outline-offset:0}"
    "input[type=checkbox],input[type=radio]{width:1.3rem;height:1.3rem;margin:.15rem .5rem 0 0;flex:none}"
    ".check{display:flex;align-items:flex-start;margin:.5rem 0}.check .hint{margin-left:1.8rem}"
    ".field-error{color:#b3261e;font-weight:600;margin:.2rem 0}.invalid{border-left:4px solid #b3261e;"
    "padding-left:.8rem}.error-summary{border:4px solid #b3261e;padding:1rem;margin:1rem 0}"
    ".error-summary h2{font-size:1.2rem;margin-top:0}.error-summary a{color:#b3261e;font-weight:600}"
    ".visually-hidden{position:absolute!important;width:1px;height:1px;margin:0;overflow:hidden;"
    "clip:rect(0 0 0 0);white-space:nowrap}.trap{position:absolute;left:-10000px;top:auto;width:1px;"
    "height:1px;overflow:hidden}.lang-switch{float:right;margin:0}a{color:#0b5394}"
    ".secondary{background:#fff;color:#0b5394;border:2px solid #0b5394}form.inline{margin:1rem 0}"
)
