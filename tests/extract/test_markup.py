"""HTML, XML and JSON extraction on documents written here. Invented placeholder data only."""

from __future__ import annotations

import json

import pytest

from spillguard.extract.base import Limits, Source
from spillguard.extract.markup import extract_html, extract_json, extract_xml
from spillguard.model import Content, Passage, Table, Uninspectable

HTML = """<!doctype html>
<html><head>
  <meta charset="utf-8">
  <title>Detention statistics</title>
  <meta name="author" content="Pat Quimby">
  <script type="application/json" id="island">
    {"records": [{"name": "TESTPERSON, ALEX", "a_number": "A012345678"},
                 {"name": "QUIMBY, PAT", "a_number": "A098765432"}]}
  </script>
  <script>var cfg = {"dob": "1990-01-02"};</script>
  <style>p { color: red }</style>
</head><body>
  <h1>Weekly report</h1>
  <p>Contact: TESTPERSON, ALEX A012345678<br>Second line</p>
  <!-- TODO remove: QUIMBY, PAT A098765432 -->
  <div hidden>Hidden roster row</div>
  <div style="display: none">Styled away</div>
  <span aria-hidden="true">Aria hidden</span>
  <template><p>Template text</p></template>
  <input type="hidden" name="case" value="XYZ000000001">
  <img src="x.png" alt="Photo of Alex Testperson" data-dob="1990-01-02">
  <table>
    <thead><tr><th>Name</th><th>A-Number</th></tr></thead>
    <tbody><tr><td>TESTPERSON, ALEX</td><td>A012345678</td></tr>
           <tr style="display:none"><td>QUIMBY, PAT</td><td>A098765432</td></tr></tbody>
  </table>
  <p>After the table</p>
</body></html>
"""


def run(fn: object, data: bytes | str, name: str = "f") -> list[Content]:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return list(fn(Source.from_bytes(name, raw), Limits()))  # type: ignore[operator]


def keys(contents: list[Content]) -> set[tuple[str, str, bool, str]]:
    return {
        (c.location.part, c.location.layer, c.location.hidden, c.text.strip())
        for c in contents
        if isinstance(c, Passage)
    }


def tables(contents: list[Content]) -> dict[str, Table]:
    return {c.part: c for c in contents if isinstance(c, Table)}


# --- HTML ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def html() -> list[Content]:
    return run(extract_html, HTML, "page.html")


def test_html_visible_text_in_blocks_keeps_line_breaks(html: list[Content]) -> None:
    body = [c for c in html if isinstance(c, Passage) and c.location.part == "body"]
    text = "\n".join(p.text for p in body if p.location.layer == "text")
    assert "Weekly report\nContact: TESTPERSON, ALEX A012345678\nSecond line" in text
    assert "After the table" in text
    for invisible in ("Hidden roster", "Styled away", "Aria hidden", "Template", "color: red"):
        assert invisible not in text


def test_html_hidden_elements(html: list[Content]) -> None:
    found = keys(html)
    for text in ("Hidden roster row", "Styled away", "Aria hidden", "Template text"):
        assert ("body", "hidden_text", True, text) in found
    assert ("form", "hidden_text", True, "case: XYZ000000001") in found


def test_html_comment(html: list[Content]) -> None:
    assert ("comment", "comment", True, "TODO remove: QUIMBY, PAT A098765432") in keys(html)


def test_html_attributes_and_meta(html: list[Content]) -> None:
    found = keys(html)
    assert ("attribute", "attribute", True, "alt: Photo of Alex Testperson") in found
    assert ("attribute", "attribute", True, "data-dob: 1990-01-02") in found
    assert ("attribute", "attribute", True, "author content: Pat Quimby") in found


def test_html_title_is_metadata(html: list[Content]) -> None:
    assert ("metadata:title", "metadata", False, "Detention statistics") in keys(html)


def test_html_table_is_a_raw_grid_with_hidden_rows(html: list[Content]) -> None:
    table = tables(html)["table:1"]
    assert [list(r) for r in table.rows] == [
        ["Name", "A-Number"],
        ["TESTPERSON, ALEX", "A012345678"],
        ["QUIMBY, PAT", "A098765432"],
    ]
    assert table.hidden_rows == frozenset({3})


def test_html_script_data_island_becomes_a_hidden_table(html: list[Content]) -> None:
    island = tables(html)["script:1:json:/records"]
    assert island.hidden
    assert [list(r) for r in island.rows] == [
        ["name", "a_number"],
        ["TESTPERSON, ALEX", "A012345678"],
        ["QUIMBY, PAT", "A098765432"],
    ]
    scripts = [c for c in html if isinstance(c, Passage) and c.location.part == "script:1"]
    assert scripts and scripts[0].location.hidden
    assert '"dob": "1990-01-02"' in scripts[0].text


def test_html_declared_charset_is_honoured() -> None:
    page = '<html><head><meta charset="windows-1252"></head><body><p>Jos\xe9</p></body></html>'
    found = keys(run(extract_html, page.encode("cp1252")))
    assert ("body", "text", False, "José") in found


def test_broken_html_still_yields_text() -> None:
    found = keys(run(extract_html, "<div><p>Unclosed <b>bold <td>cell</div></span>"))
    assert any("Unclosed" in text for *_, text in found)


# --- XML -------------------------------------------------------------------------------------

XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<export generated="2099-01-01">
  <title>Roster</title>
  <records>
    <record id="1"><name>TESTPERSON, ALEX</name><dob>1990-01-02</dob></record>
    <record id="2"><name>QUIMBY, PAT</name><dob>1991-03-04</dob>
      <address><city>Springfield</city></address></record>
  </records>
</export>
"""


def test_xml_repeated_records_become_a_table() -> None:
    table = tables(run(extract_xml, XML))["xml:/export/records/record"]
    assert [list(r) for r in table.rows] == [
        ["@id", "name", "dob", "address/city"],
        ["1", "TESTPERSON, ALEX", "1990-01-02", ""],
        ["2", "QUIMBY, PAT", "1991-03-04", "Springfield"],
    ]


def test_xml_elements_and_attributes_as_passages_with_paths() -> None:
    found = keys(run(extract_xml, XML))
    assert ("xml:/export/title", "text", False, "title: Roster") in found
    assert ("xml:/export/@generated", "attribute", False, "generated: 2099-01-01") in found


def test_xml_with_plain_doctype_is_read_and_its_dtd_not_fetched() -> None:
    data = b'<?xml version="1.0"?><!DOCTYPE note SYSTEM "http://invalid./note.dtd"><note>hi</note>'
    assert ("xml:/note", "text", False, "note: hi") in keys(run(extract_xml, data))


def test_xml_bomb_is_uninspectable() -> None:
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<lolz>&lol2;</lolz>"""
    with pytest.raises(Uninspectable, match="hostile XML"):
        run(extract_xml, bomb)


def test_xxe_is_uninspectable() -> None:
    xxe = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"""
    with pytest.raises(Uninspectable, match="hostile XML"):
        run(extract_xml, xxe)


def test_corrupt_xml_is_uninspectable() -> None:
    with pytest.raises(Uninspectable, match="corrupt XML"):
        run(extract_xml, b"<a><b></a>")


# --- JSON ------------------------------------------------------------------------------------


def test_json_records_anywhere_become_tables_with_key_union() -> None:
    doc = {
        "meta": {"owner": "Pat Quimby", "count": 2},
        "data": [
            {"name": "TESTPERSON, ALEX", "dob": "1990-01-02", "tags": ["a", "b"]},
            {"name": "QUIMBY, PAT", "a_number": "A098765432", "address": {"city": "Springfield"}},
        ],
    }
    contents = run(extract_json, json.dumps(doc))
    table = tables(contents)["json:/data"]
    assert [list(r) for r in table.rows] == [
        ["name", "dob", "tags", "a_number", "address/city"],
        ["TESTPERSON, ALEX", "1990-01-02", "a; b", "", ""],
        ["QUIMBY, PAT", "", "", "A098765432", "Springfield"],
    ]
    found = keys(contents)
    assert ("json:/meta/owner", "text", False, "owner: Pat Quimby") in found
    assert not any(part == "json:/meta/count" for part, *_ in found)  # a small number holds nobody


def test_json_scalar_strings_carry_their_key() -> None:
    found = keys(run(extract_json, '{"person": {"dob": "1990-01-02", "a/b": "x"}}'))
    assert ("json:/person/dob", "text", False, "dob: 1990-01-02") in found
    assert ("json:/person/a~1b", "text", False, "a/b: x") in found


def test_json_duplicate_keys_keep_both_values() -> None:
    found = keys(run(extract_json, '{"dob": "1990-01-02", "dob": "REMOVED"}'))
    assert ("json:/dob", "text", False, "dob: 1990-01-02") in found
    assert ("json:/dob", "text", False, "dob: REMOVED") in found


def test_json_lines() -> None:
    lines = '{"name": "TESTPERSON, ALEX"}\n{"name": "QUIMBY, PAT"}\n'
    table = tables(run(extract_json, lines))["json:/"]
    assert [list(r) for r in table.rows] == [["name"], ["TESTPERSON, ALEX"], ["QUIMBY, PAT"]]


def test_invalid_json_is_uninspectable() -> None:
    with pytest.raises(Uninspectable, match="corrupt JSON"):
        run(extract_json, '{"name": "unterminated')


def test_deep_json_is_uninspectable() -> None:
    with pytest.raises(Uninspectable, match="over limit"):
        run(extract_json, "[" * 200 + "]" * 200)
    with pytest.raises(Uninspectable, match="over limit"):
        run(extract_json, "[" * 100_000 + "]" * 100_000)
