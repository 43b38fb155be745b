"""The page builder escapes every value that is not markup it built itself."""

from __future__ import annotations

from docexchange.dashboard.markup import Safe, attrs, escape, html, join


def test_values_are_escaped_and_safe_markup_is_kept() -> None:
    inner = html("<b>{name}</b>", name='<i>"Sở" & Co</i>')
    assert inner == "<b>&lt;i&gt;&quot;Sở&quot; &amp; Co&lt;/i&gt;</b>"
    assert html("<p>{x}</p>", x=inner) == f"<p>{inner}</p>"
    assert html("<p>{x}</p>", x=str(inner)).count("&lt;b&gt;") == 1  # a plain str is text
    assert html("{x:.1f} {y}", x=2.25, y=None) == "2.2 None"
    assert escape(None) == "" and isinstance(escape("<"), Safe)


def test_join_and_attributes_escape_too() -> None:
    assert join(["<a>", Safe("<br>")], ", ") == "&lt;a&gt;, <br>"
    assert attrs(value='"><script>', selected=True, hidden=False, data_id="x") == \
        ' value="&quot;&gt;&lt;script&gt;" selected data-id="x"'
