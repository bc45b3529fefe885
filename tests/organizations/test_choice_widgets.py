"""Radios and checkbox lists drawn by one renderer (issue 14 §1): the 季度检查 form was unusable because Django put
the widget's `form-check-input` class on the wrapper <div> of the group, squeezing it into a 16 px column."""

import re

import pytest
from django import forms
from django.template import Context, Template

FIELD = Template('{% include "includes/field.html" with choice_look=look %}')


class ChoiceForm(forms.Form):
    result = forms.ChoiceField(
        label="检查结果",
        choices=[("pass", "通过"), ("fail", "不通过")],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    reasons = forms.MultipleChoiceField(
        label="不通过的原因",
        required=False,
        choices=[("a", "问题不解决"), ("b", "落实不到位")],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )


def draw(field, look=""):
    return FIELD.render(Context({"field": field, "look": look}))


def inputs(html):
    return re.findall(r"<input [^>]*>", html)


def assert_every_input_has_its_label(html):
    for tag in inputs(html):
        if 'type="hidden"' in tag:
            continue
        input_id = re.search(r'id="([^"]+)"', tag).group(1)
        assert f'for="{input_id}"' in html, f"no label bound to {input_id}"


@pytest.mark.parametrize("name", ["result", "reasons"])
def test_a_choice_group_is_a_fieldset_whose_wrapper_carries_no_input_class(name):
    html = draw(ChoiceForm()[name])

    assert "<fieldset" in html and "<legend" in html
    # The cause of the broken form: the input's class on the group's wrapper.
    assert not re.search(r'<div[^>]*class="[^"]*form-check-input', html)
    assert all('class="form-check-input"' in tag for tag in inputs(html))
    assert html.count('class="form-check"') == 2
    assert_every_input_has_its_label(html)
    # A group has no <label for> pointing at a <div>.
    assert f'<label class="form-label" for="id_{name}"' not in html


def test_buttons_are_toggle_buttons_big_enough_for_a_thumb():
    html = draw(ChoiceForm()["result"], look="buttons")

    assert "choice-buttons" in html
    assert all('class="btn-check"' in tag for tag in inputs(html))
    assert html.count("btn btn-outline-secondary choice-btn") == 2
    assert_every_input_has_its_label(html)


def test_an_error_is_tied_to_the_group_and_the_choice_is_kept():
    form = ChoiceForm(data={"reasons": ["b"]})
    assert not form.is_valid()
    html = draw(form["result"], look="buttons")
    assert 'aria-describedby="id_result-error"' in html and 'id="id_result-error"' in html
    assert 'aria-invalid="true"' in html
    kept = draw(form["reasons"])
    assert re.search(r'<input [^>]*value="b"[^>]*checked', kept)


def test_an_unknown_look_is_a_programming_error():
    with pytest.raises(ValueError):
        draw(ChoiceForm()["result"], look="bigger")


def test_an_error_on_a_text_field_is_read_with_the_field():
    class NoteForm(forms.Form):
        note = forms.CharField(label="检查意见")

    html = draw(NoteForm(data={})["note"])
    assert 'aria-describedby="id_note-error"' in html and 'id="id_note-error"' in html
    assert '<label class="form-label" for="id_note">' in html
