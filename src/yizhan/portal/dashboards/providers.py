"""The apps' answers to the dashboards, found like `nav.py`: each installed Yizhan app whose
`selectors` module has `dashboard_facts` and/or `dashboard_headlines` (see core.dashboards).

A new app plugs in by adding those two functions to its selectors; nothing in the portal
changes. Metric names start with the app's label ("cases.filed"), so the portal asks only the
app that owns a metric for today's live delta.
"""

import contextvars
import logging
from contextlib import contextmanager
from functools import cache
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps

logger = logging.getLogger("yizhan.dashboards")


@cache
def _selectors() -> dict:
    found = {}
    for config in apps.get_app_configs():
        name = f"{config.name}.selectors"
        if not config.name.startswith("yizhan.") or config.label in ("portal", "core"):
            continue
        if find_spec(name) is None:
            continue
        found[config.label] = import_module(name)
    return found


def fact_sources() -> dict:
    """{app label: its dashboard_facts function}."""
    return {
        label: module.dashboard_facts
        for label, module in _selectors().items()
        if hasattr(module, "dashboard_facts")
    }


def headline_sources() -> dict:
    return {
        label: module.dashboard_headlines
        for label, module in _selectors().items()
        if hasattr(module, "dashboard_headlines")
    }


_kept = contextvars.ContextVar("dashboard_headlines_kept", default=None)


@contextmanager
def headlines_kept():
    """Inside, `headlines` answers each scope once: a page of several sections (the monthly
    report: the overview and the coverage both list every app's headlines) asks the apps
    once, not once per section."""
    token = _kept.set({})
    try:
        yield
    finally:
        _kept.reset(token)


def headlines(scope, leave_out=frozenset()) -> list:
    """Every app's headline figures for `scope` (but the apps in `leave_out`); an app that
    fails is left out (and logged), so one broken provider never takes the overview down."""
    kept = _kept.get()
    by_app = kept.setdefault(scope, {}) if kept is not None else {}
    found = []
    for label, provide in headline_sources().items():
        if label in leave_out:
            continue
        if label not in by_app:
            try:
                by_app[label] = list(provide(scope=scope))
            except Exception:  # noqa: BLE001 - a provider's bug must not blank the page
                logger.exception("dashboard headlines of %s failed", label)
                by_app[label] = []
        found.extend(by_app[label])
    return found
