"""The built-in GDPR training module: guidance to read and a quiz to pass.

Kept as data so that the union can reword it without touching the views. Each
question has one right answer; the pass mark is GDPR_TRAINING_PASS_MARK per cent.
"""

from __future__ import annotations

from dataclasses import dataclass

GUIDANCE = """\
## Why this matters

As a committee member you can see other students' personal data: names, university
email addresses, what they bought and which events they came to. The UK GDPR says that
data may only be used for the purpose it was given for, kept safe, and kept no longer
than needed. The union is responsible for it, and you act for the union.

## The rules for committee members

- **Use member data only to run the society**: membership, events, elections, messages
  about society activity. Never for anything else, and never pass it on.
- **Keep it inside Quad.** Do not download member lists to personal devices or copy them
  into spreadsheets or group chats. Quad logs every view and export of a member list.
- **Never collect phone numbers.** Group chats in Quad work by invite links; nobody's number
  is shown to anyone.
- **Share access only with committee members who need it**, and hand over properly at the
  end of your term. Never share passwords; handover notes say who should own an account.
- **Report a data breach to the union at once** (a lost device, an email sent to the wrong
  list, a message shared outside the group). The union has 72 hours to tell the regulator.
- **Students can ask to see or erase their data.** Send such requests to the union; Quad
  produces the export and performs the erasure.

Your training is valid for twelve months. When it expires your committee powers pause
until you take it again.
"""


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    choices: tuple[tuple[str, str], ...]
    answer: str


QUESTIONS: tuple[Question, ...] = (
    Question(
        "purpose",
        "A member's email address was given for society membership. What may you use it for?",
        (
            ("society", "Messages about the society's activities"),
            ("anything", "Anything the committee decides"),
            ("sponsor", "Passing to a sponsor who offers a discount"),
        ),
        "society",
    ),
    Question(
        "export",
        "You need the member list for a trip. Where should it stay?",
        (
            ("quad", "In Quad, viewed by trained committee members who need it"),
            ("sheet", "In a shared spreadsheet everyone on the committee can edit"),
            ("chat", "Pasted into the committee group chat"),
        ),
        "quad",
    ),
    Question(
        "phones",
        "How should members join the society's group chat?",
        (
            ("numbers", "Collect their phone numbers and add them"),
            ("invite", "Through the invite link or QR code sent from Quad"),
            ("public", "Post the link publicly on social media"),
        ),
        "invite",
    ),
    Question(
        "breach",
        "You emailed the member list to the wrong person. What do you do?",
        (
            ("nothing", "Nothing, it was an accident"),
            ("delete", "Ask them to delete it and tell nobody"),
            ("report", "Tell the union straight away"),
        ),
        "report",
    ),
    Question(
        "handover",
        "Your term ends. How do you hand over the society's Instagram account?",
        (
            ("password", "Write the password in the handover notes"),
            ("owner", "Note who should own it and transfer it to them directly"),
            ("keep", "Keep it, in case you are needed"),
        ),
        "owner",
    ),
    Question(
        "request",
        "A member asks what data the society holds about them. What happens?",
        (
            ("ignore", "Nothing: societies don't have to answer"),
            ("union", "The request goes to the union, which produces it from Quad"),
            ("screenshot", "Send them screenshots of the member list"),
        ),
        "union",
    ),
)


def grade(answers: dict[str, str]) -> int:
    """Percentage of questions answered correctly."""
    right = sum(1 for question in QUESTIONS if answers.get(question.key) == question.answer)
    return round(100 * right / len(QUESTIONS))
