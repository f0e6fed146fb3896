"""The group guidelines every member accepts on joining (guidance W6, O14): the six from the union's
WhatsApp guidance, and the statement that code-of-conduct breaches are not tolerated."""

DEFAULT_GUIDELINES = """\
1. Please be kind and respectful to others in the group. You might not all share the same views or \
opinions, but please always remain polite.
2. Mute the group to prevent repeated notifications.
3. Please give the committee time to reply.
4. Avoid messaging late at night or very early in the morning.
5. Keep discussions relevant to the group's purpose.
6. Do not share individuals' information outside of the group.

This group is for the activity it was made for. Breaches of the union's code of conduct are not \
tolerated: moderators may hide messages and remove members, and the union is told."""

# One-click moderator notices (guidance W8, W10, O15), kind in tone; each group may edit its own.
# "{purpose}" is the group's purpose; "{social}" the group suggested for off-topic talk.
NOTICE_GUIDELINES = "A friendly reminder of this group's guidelines, which everyone agreed to on joining:"
NOTICE_OFF_TOPIC = (
    "Let's keep this group to what it's for: {purpose} It's great that you're chatting — "
    "if you'd like to carry on about this, {social} is the place for it."
)
NOTICE_NOT_TOLERATED = (
    "Some messages here were not OK, and the moderators have removed them. Behaviour like that breaches "
    "the union's code of conduct and is not tolerated in this group. If it affected you, you can report it "
    "privately from any message, and the union's advice team is there to help."
)
DEFAULT_NOTICES = {
    "guidelines": NOTICE_GUIDELINES,
    "off_topic": NOTICE_OFF_TOPIC,
    "not_tolerated": NOTICE_NOT_TOLERATED,
}

# The opening of a private message from the moderators to one member (guidance W11, O16).
PRIVATE_WARNING = """\
Hi {name},

We're the moderators of “{group}”. Some of your recent messages don't fit the group's guidelines or the \
union's code of conduct, which everyone accepts on joining. Please keep things kind, respectful and on topic.

If something is going on, reply here: we're happy to talk it through. If it carries on, we may have to make \
you read-only for a while or remove you from the group."""
