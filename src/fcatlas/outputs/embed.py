"""JSON embedded in an HTML page (``<script type="application/json">``): one function that no
text can break out of, for every page and template.

Inside a script element the HTML parser ends the element at ``</script``, and ``<!--<script``
puts it into a state where even ``</script>`` no longer ends it (the rest of the page is
swallowed). Escaping ``<``, ``>`` and ``&`` as JSON ``\\u`` escapes leaves nothing HTML reads;
U+2028 and U+2029 are escaped too (line terminators in older JavaScript).
"""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026",
            0x2028: "\\u2028", 0x2029: "\\u2029"}


def json_for_html(value: Any) -> Markup:
    """``value`` as JSON safe to put inside a ``<script>`` element of a page.

    >>> str(json_for_html({"namn": "<!--<script>&"}))
    '{"namn": "\\\\u003c!--\\\\u003cscript\\\\u003e\\\\u0026"}'
    """
    return Markup(json.dumps(value, ensure_ascii=False).translate(_ESCAPES))  # noqa: S704 - escaped above
