"""Supervision pages: the bureau's register and plans, the inspector's phone pages, the institution's
own page and the public 一公开 pages. Thin: selectors scope every id (404 outside), services write."""
