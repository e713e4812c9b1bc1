"""Generate a large mbox of varied customer emails for the triage benchmark (not committed).

The mix is meant to look like a support inbox on a bad week: mostly angry emails about
deliveries, billing, broken products and rude service (anger from mild to furious, some
shouting), calm questions, follow-ups in threads (``In-Reply-To``/``References``), HTML-only
messages, a few non-English ones, legal threats, the odd violent threat or crisis message
(escalations), and a sprinkling of broken messages (binary junk) that must become error rows.
Deterministic for a given ``--seed``.

    python bench/make_mbox.py /tmp/inbox.mbox --count 10000
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from email.utils import format_datetime
from pathlib import Path

FIRST = ["Dana", "Lena", "Tom", "Priya", "Marco", "Aisha", "Kenji", "Sofia", "Liam", "Noor",
         "Grace", "Omar", "Elena", "Jonas", "Maya", "Ravi", "Chloe", "Felix", "Hana", "Diego"]
LAST = ["Whitfield", "Okafor", "Becker", "Raman", "Rossi", "Khan", "Sato", "Garcia", "Murphy",
        "Haddad", "Lee", "Novak", "Silva", "Berg", "Cohen", "Patel", "Martin", "Fischer"]
ITEMS = ["rain jacket", "blender", "sofa", "desk lamp", "coffee machine", "pair of boots",
         "phone case", "backpack", "standing desk", "vacuum cleaner", "kettle", "headphones"]

ANGRY = [
    ("Order {order} STILL not here", "I ordered a {item} on {day} (order {order}) and paid "
     "{amount} for express shipping. It was supposed to arrive in 2 days. It's been over a week "
     "and the tracking page hasn't changed. I called twice and nobody could tell me anything. "
     "I want a refund of the {amount} shipping fee and the {item} delivered by Friday."),
    ("Charged twice!!", "You charged me TWICE for order {order}. {amount} taken two times from "
     "my card. This is unacceptable. I want the duplicate charge refunded immediately or I "
     "will dispute it with my bank."),
    ("Broken {item}", "The {item} from order {order} arrived broken. The box was damaged and "
     "the {item} is cracked. I'm really disappointed, it was a gift. Please send a replacement "
     "before {day}."),
    ("Your agent was rude", "I called about order {order} and your agent was rude and hung up "
     "on me. Third time I have contacted you. I am fed up and I want to speak to a manager."),
    ("WHERE IS MY REFUND", "I returned the {item} three weeks ago and I STILL have not received "
     "my refund of {amount}. This is RIDICULOUS. Worst customer service ever. I will never "
     "order from you again and I am leaving a 1-star review."),
    ("Wrong size AGAIN", "Second time you sent the wrong size. Order {order}. I need the right "
     "{item} by Saturday for a trip. Fix this now."),
    ("Cancel my subscription", "I asked you to cancel my subscription last month and you "
     "charged me {amount} again. Cancel it and refund me. I am switching to a competitor."),
]
CALM = [
    ("Question about order {order}", "Hi, could you tell me when order {order} will ship? "
     "No rush, just planning. Thanks!"),
    ("Address change", "Hello, I moved last week. Can you update the delivery address for "
     "order {order}? Thank you."),
    ("Thanks", "Just wanted to say the {item} arrived and it's great. Thank you."),
]
LEGAL = ("Formal complaint: order {order}", "The {item} from order {order} arrived damaged "
         "and you refused a refund. If this is not resolved by Friday my lawyer will be in "
         "touch and I will take you to small claims court.")
VIOLENT = ("last warning", "Your driver threw my package over the fence again and the {item} "
           "broke. If this happens one more time I am going to come down there and hurt "
           "someone.")
CRISIS = ("my account", "You cut off my account again and I lost everything. I can't go on "
          "like this anymore, honestly I just want to die.")
SPANISH = ("Pedido {order} no ha llegado", "Hola, mi pedido {order} no ha llegado y ya pasaron "
           "dos semanas. Quiero un reembolso. Estoy muy molesta.")
FOLLOW_UP = ("Re: {subject}", "This is my second email about this and still no answer. "
             "I am getting really angry now. Please reply today.")


def _fill(template: str, rng: random.Random, ctx: dict[str, str]) -> str:
    return template.format(**ctx)


def _context(rng: random.Random) -> dict[str, str]:
    return {
        "order": f"A-{rng.randint(10000, 99999)}",
        "item": rng.choice(ITEMS),
        "amount": f"${rng.randint(5, 400)}.{rng.randint(0, 99):02d}",
        "day": rng.choice(["Monday", "Tuesday", "November 12", "the 3rd"]),
    }


def _headers(sender: str, subject: str, when: dt.datetime, mid: str,
             reply_to: str = "", html: bool = False) -> str:
    lines = [f"From: {sender}", "To: Shop Support <support@shop.example>",
             f"Subject: {subject}", f"Date: {format_datetime(when)}", f"Message-ID: {mid}",
             "MIME-Version: 1.0",
             f"Content-Type: text/{'html' if html else 'plain'}; charset=utf-8",
             "Content-Transfer-Encoding: 8bit"]
    if reply_to:
        lines += [f"In-Reply-To: {reply_to}", f"References: {reply_to}"]
    return "\n".join(lines) + "\n\n"


def _message(rng: random.Random, i: int, start: dt.datetime) -> dict[str, str]:
    """One customer email, as the fields a follow-up needs and its raw text."""
    first, last = rng.choice(FIRST), rng.choice(LAST)
    ctx = _context(rng)
    roll = rng.random()
    if roll < 0.55:
        subject, body = rng.choice(ANGRY)
    elif roll < 0.85:
        subject, body = rng.choice(CALM)
    elif roll < 0.91:
        subject, body = LEGAL
    elif roll < 0.93:
        subject, body = VIOLENT
    elif roll < 0.94:
        subject, body = CRISIS
    else:
        subject, body = SPANISH
    sender = f"{first} {last} <{first.lower()}.{last.lower()}{i}@example.com>"
    when = start + dt.timedelta(minutes=7 * i)
    mid = f"<m{i}.{rng.randrange(10**9)}@mail.example.com>"
    said = _fill(body, rng, ctx)
    greeting = "" if said.startswith(("Hi", "Hello", "Hola", "Just")) else "Hi,\n\n"
    text = f"{greeting}{said}\n\n{first} {last}\n"
    html = rng.random() < 0.1
    shown = ("<html><body><p>" + text.replace("\n\n", "</p><p>") + "</p></body></html>\n"
             if html else text)
    subject = _fill(subject, rng, ctx)
    return {"sender": sender, "subject": subject, "date": format_datetime(when), "mid": mid,
            "text": text, "raw": _headers(sender, subject, when, mid, html=html) + shown}


def _follow_up(original: dict[str, str], i: int, start: dt.datetime) -> str:
    when = start + dt.timedelta(minutes=7 * i)
    mid = f"<f{i}@mail.example.com>"
    quoted = "\n".join(f"> {line}" for line in original["text"].splitlines())
    subject = FOLLOW_UP[0].format(subject=original["subject"])
    return (_headers(original["sender"], subject, when, mid, reply_to=original["mid"])
            + f"{FOLLOW_UP[1]}\n\nOn {original['date']}, {original['sender']} wrote:\n"
            f"{quoted}\n")


def _junk(rng: random.Random, i: int) -> bytes:
    """A message whose body is binary junk: the parser must refuse it, and the batch go on."""
    head = (f"From: junk{i}@example.com\nSubject: junk {i}\nMessage-ID: <junk{i}@x>\n"
            "Content-Type: application/octet-stream\n\n").encode()
    return head + bytes(rng.randrange(256) for _ in range(300)).replace(b"\nFrom ", b"\nXrom ")


def generate(path: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    start = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)
    recent: list[dict[str, str]] = []
    with path.open("wb") as fh:
        for i in range(count):
            if recent and rng.random() < 0.08:
                raw = _follow_up(rng.choice(recent), i, start).encode()
            elif rng.random() < 0.003:
                raw = _junk(rng, i)
            else:
                msg = _message(rng, i, start)
                recent = [*recent, msg][-50:]
                raw = msg["raw"].encode()
            raw = raw.replace(b"\nFrom ", b"\n>From ")
            fh.write(b"From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n" + raw.rstrip(b"\n")
                     + b"\n\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generate(args.path, args.count, args.seed)
    print(f"wrote {args.count:,} messages to {args.path}")


if __name__ == "__main__":
    main()
