"""The weekly bulletin (bollettino) of job offers, training and services.

:mod:`~scout.bulletin.compose` proposes a week's items, edits the draft and publishes;
:mod:`~scout.bulletin.kmzero` says what is a short walk from a hub; :mod:`~scout.bulletin.snapshot`
freezes the public content; :mod:`~scout.bulletin.render` turns a snapshot into lines and plain
text in the reader's language; :mod:`~scout.bulletin.market` keeps the open-market offers;
:mod:`~scout.bulletin.subscriptions`, :mod:`~scout.bulletin.outbox` and
:mod:`~scout.bulletin.mail` mail it to subscribers. Views import this package as the service.
"""

from scout.bulletin.common import LANGUAGES, RESOURCE_SECTION, SECTIONS, today, week_of
from scout.bulletin.compose import (
    add_new_proposals,
    create_draft,
    eligible_offers,
    eligible_resources,
    kept_items,
    move_item,
    preview_snapshot,
    propose,
    publish,
    published,
    still_eligible,
    update_draft,
)
from scout.bulletin.kmzero import KmZero, classify_km_zero, km_zero_municipi, km_zero_rule
from scout.bulletin.market import (
    MarketDraft,
    create_market_offer,
    eligible_market_offers,
    in_metro_area,
    market_points,
    update_market_offer,
    withdraw_market_offer,
)
from scout.bulletin.outbox import (
    DeliveryReport,
    DeliveryStatus,
    base_url,
    deliver,
    delivery_status,
    enqueue_bulletin,
    retry_now,
    sending_enabled,
)
from scout.bulletin.render import (
    TEXT_WIDTH,
    bulletin_language,
    format_schedule,
    item_apply,
    item_facts,
    item_place,
    render_text,
    section_intro,
    section_title,
    template_helpers,
    week_label,
)
from scout.bulletin.snapshot import build_snapshot, km_zero_map
from scout.bulletin.subscriptions import (
    InvalidAddress,
    by_token,
    confirm,
    forget,
    list_sizes,
    subscribe,
    sync_lists,
    unsubscribe,
)

__all__ = [
    "DeliveryReport",
    "DeliveryStatus",
    "base_url",
    "deliver",
    "delivery_status",
    "enqueue_bulletin",
    "retry_now",
    "sending_enabled",
    "InvalidAddress",
    "by_token",
    "confirm",
    "forget",
    "list_sizes",
    "subscribe",
    "sync_lists",
    "unsubscribe",
    "MarketDraft",
    "create_market_offer",
    "eligible_market_offers",
    "in_metro_area",
    "market_points",
    "update_market_offer",
    "withdraw_market_offer",
    "LANGUAGES",
    "RESOURCE_SECTION",
    "SECTIONS",
    "TEXT_WIDTH",
    "KmZero",
    "add_new_proposals",
    "build_snapshot",
    "bulletin_language",
    "classify_km_zero",
    "create_draft",
    "eligible_offers",
    "eligible_resources",
    "format_schedule",
    "item_apply",
    "item_facts",
    "item_place",
    "kept_items",
    "km_zero_map",
    "km_zero_municipi",
    "km_zero_rule",
    "move_item",
    "preview_snapshot",
    "propose",
    "publish",
    "published",
    "render_text",
    "section_intro",
    "section_title",
    "still_eligible",
    "template_helpers",
    "today",
    "update_draft",
    "week_label",
    "week_of",
]
