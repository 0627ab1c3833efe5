"""The Word report of a unit: a finished administrative document from an editable template.

The template is a .docx under ``templates/`` (one per form, ``<form id>.docx``; any
other form gets the generic ``chung.docx``), written in Word or LibreOffice with Jinja
tags and rendered with docxtpl. The officer may edit it freely, or pass their own with
``consolidate report --template FILE``; a template that uses a variable the context does
not have is refused, naming it, before anything is written.

The context is the same for every form, so a new form needs only its own template:

* ``unit``, ``document``, ``form``, ``period``, ``campaign``: who reports what, when;
* ``values`` / ``figures`` / ``changes`` / ``by_level``: the roll-up, keyed
  ``[table][row][column]`` (``by_level[table][column]``): raw numbers, the same figures
  formatted for a sentence (``242``, ``01``, ``121.450.000 đồng``), the comparison with
  the previous period (``tăng 13 so với cùng kỳ năm 2023``) and the split by level;
  ``previous`` / ``previous_period``: the previous period's values, when the caller
  gives its roll-up;
* ``tables`` / ``table_list``: each table as a finished Word table (``{{p t.table }}``)
  with its number, title and rows;
* ``narrative`` / ``sections``: the units' own answers, grouped and attributed;
* ``status``: who has reported (``status.coverage`` and ``status.gaps_sentence`` when
  some have not: whose figures the report holds, which units below are missing);
  ``chart`` / ``chart_caption``: the picture by child unit;
* ``basis``: the request the report answers (setting ``basis``, else a placeholder citing
  the level above); ``signature``, ``recipients``, ``archive``: the closing blocks, from
  the campaign's settings, else the bodies of the structure in force for the period
  (:mod:`.bodies`); ``page_break``: a page break.

Numbers go through :mod:`consolidate.core.numbers` (Vietnamese conventions), exposed to
templates as the filters ``vn_number``, ``vn_money``, ``vn_count``, ``vn_percent``,
``vn_money_words``, ``vn_date``, ``vn_sum`` and ``vn_paren``.

The modules, one job each: :mod:`.filters` (the filters and the Jinja environment),
:mod:`.figures` (how a figure or an answer reads), :mod:`.word_table` (Word-table XML),
:mod:`.tables` (the tables and their figures as the context holds them),
:mod:`.narrative` (the units' answers), :mod:`.status` (who has reported),
:mod:`.context` (the whole context), :mod:`.render` (templates and rendering) and
:mod:`.pdf` (LibreOffice).
"""

from consolidate.outputs.word.context import CONTEXT_KEYS, report_date
from consolidate.outputs.word.filters import (
    FILTERS,
    jinja_env,
    vn_count,
    vn_date,
    vn_money,
    vn_money_words,
    vn_number,
    vn_paren,
    vn_percent,
    vn_sum,
)
from consolidate.outputs.word.pdf import convert_to_pdf, soffice_path
from consolidate.outputs.word.render import (
    WordRenderer,
    check_template,
    default_template,
    render_document,
)

__all__ = [
    "CONTEXT_KEYS", "FILTERS", "WordRenderer", "check_template", "convert_to_pdf",
    "default_template", "jinja_env", "render_document", "report_date", "soffice_path",
    "vn_count", "vn_date", "vn_money", "vn_money_words", "vn_number", "vn_paren",
    "vn_percent", "vn_sum",
]
