"""``roleclass serve``: the recruiter page and the JSON API (needs ``roleclass[web]``)."""

from __future__ import annotations

from roleclass.web.app import create_app

__all__ = ["create_app"]
