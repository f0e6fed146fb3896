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
