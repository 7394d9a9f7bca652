"""What each app offers on the home page, in the staff side menu and in the worker's tab bar.

Every feature app declares its own entries in `<app>/nav.py` as a list called `ENTRIES`:

    ENTRIES = [
        Entry("reports.new", _("Report a hazard"), "reports:new", roles={"worker"},
              hint=_("Photo and spot: the community fixes it"), icon="camera",
              places={TILE, TAB}, order=20),
    ]

The portal collects them (it imports every installed app's `nav` module) and shows each
person the entries their roles allow. No template tests a list of roles that lives elsewhere.

Roles are the strings of `accounts.Role`, plus three pseudo-roles: `ANYONE` (also logged
out), `ANONYMOUS` (only logged out) and `STAFF` (may use the back office).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse

TILE = "tile"  # a tile on the home page
MENU = "menu"  # the staff console's side navigation
TAB = "tab"  # the worker's bottom tab bar (at most five)
ME = "me"  # a shortcut on the person's own page (我的): their reports, demands, points

ANYONE = "*"
ANONYMOUS = "anonymous"
STAFF = "staff"


@dataclass(frozen=True)
class Entry:
    key: str
    label: object  # a lazy translation string
    url_name: str
    short: object = ""  # the tab bar's one- or two-word label (default: label)
    roles: frozenset = field(default_factory=frozenset)
    hint: object = ""
    icon: str = ""  # a Tabler icon name, drawn from the local sprite
    places: frozenset = frozenset({TILE})
    order: int = 100
    group: object = ""  # a heading in the staff menu
    when: Callable | None = None  # an extra test on the user, for rules roles cannot express
    url_args: tuple = ()
    main: bool = False  # drawn larger on the home page (the one thing a role does most)

    def __post_init__(self):
        object.__setattr__(self, "roles", frozenset(self.roles))
        object.__setattr__(self, "places", frozenset(self.places))

    @property
    def tab_label(self):
        return self.short or self.label

    def url(self) -> str:
        try:
            return reverse(self.url_name, args=self.url_args)
        except NoReverseMatch:
            return ""

    def visible_to(self, user, roles: set[str]) -> bool:
        authenticated = bool(getattr(user, "is_authenticated", False))
        held = set(roles)
        if authenticated and getattr(user, "is_staff", False):
            held.add(STAFF)
        if not authenticated:
            held.add(ANONYMOUS)
        if ANYONE not in self.roles and not (self.roles & held):
            return False
        return self.when is None or bool(self.when(user))


_entries: dict[str, Entry] = {}


def register(entries: Iterable[Entry]) -> None:
    for entry in entries:
        _entries[entry.key] = entry


def all_entries() -> list[Entry]:
    return sorted(_entries.values(), key=lambda e: (e.order, e.key))


def entries_for(user, roles: set[str], place: str) -> list[Entry]:
    return [e for e in all_entries() if place in e.places and e.visible_to(user, roles)]
