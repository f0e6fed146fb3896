"""Actions higher apps add to an article's committee page, without news importing them.

mailings, say, registers "Email this article to members" from its AppConfig.ready(); the edit page
shows it as a button (a POST to the action's URL) to committee members whose position has the
action's power and who may use it now (trained, society active).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ArticleAction:
    label: str
    url_name: str  # takes the article's pk
    power: str  # a quad.societies.models.Power value


_article_actions: list[ArticleAction] = []


def register_article_action(label: str, url_name: str, power: str) -> None:
    """Add a link to every article's committee page; registering the same URL twice changes nothing."""
    if all(action.url_name != url_name for action in _article_actions):
        _article_actions.append(ArticleAction(label, url_name, power))


def article_actions() -> list[ArticleAction]:
    return list(_article_actions)
