"""Chat's place in the management area's navigation."""

from quad.societies import sections as site_sections

site_sections.register_manage_link("Group chats", "chat:society-groups")
