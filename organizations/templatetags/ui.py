from django import forms, template
from django.forms.utils import flatatt
from django.template.loader import render_to_string
from django.utils.html import format_html

from organizations.validators import mask_id_number, mask_phone

register = template.Library()

# Radios and checkbox lists (CheckboxSelectMultiple is a RadioSelect): a group of inputs, each with its own label.
CHOICE_WIDGETS = (forms.RadioSelect,)
CHOICE_LOOKS = ("", "inline", "buttons")


@register.filter
def is_choice_group(field) -> bool:
    """A field drawn as a group of radios or checkboxes: it takes a <fieldset> and <legend>, not a <label>."""
    return isinstance(field.field.widget, CHOICE_WIDGETS)


@register.simple_tag
def widget(field, look="", **attrs):
    """Render a form field's widget with the Bootstrap class its kind needs.

    Radios and checkbox lists go through one renderer (`choices`), whatever the form gave their widget as class:
    Django would put that class on the wrapper <div> too, and Bootstrap's `form-check-input` there squeezes the
    whole group into a 16 px column.
    """
    w = field.field.widget
    if isinstance(w, CHOICE_WIDGETS):
        return choices(field, look=look)
    if isinstance(w, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(w, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
        # The error below the field (includes/field.html) is read out with it.
        attrs.setdefault("aria-invalid", "true")
        attrs.setdefault("aria-describedby", f"{field.auto_id}-error")
    attrs["class"] = (attrs.get("class", "") + " " + css).strip()
    return field.as_widget(attrs=attrs)


@register.simple_tag
def choices(field, look=""):
    """A radio or checkbox group the site's way: one `.form-check` per option with its bound label, stacked (default),
    inline (`look="inline"`), or as large toggle buttons for a thumb on a phone (`look="buttons"`: Bootstrap's
    `btn-check`, at least 44 px high)."""
    if look not in CHOICE_LOOKS:
        raise ValueError(f"Unknown look {look!r} of a choice group; one of {CHOICE_LOOKS}.")
    buttons = look == "buttons"
    css = "btn-check" if buttons else "form-check-input"
    if field.errors:
        css += " is-invalid"
    options = []
    for option in field.subwidgets:
        data = option.data
        attrs = {k: v for k, v in data["attrs"].items() if k != "class"}
        attrs["class"] = css
        if field.errors:
            attrs["aria-invalid"] = "true"
        html = format_html(
            '<input type="{}" name="{}" value="{}"{}>', data["type"], data["name"], data["value"], flatatt(attrs)
        )
        options.append({"input": html, "id": attrs.get("id", ""), "label": data["label"], "value": data["value"]})
    return render_to_string(
        "includes/choices.html",
        {
            "field": field,
            "options": options,
            "buttons": buttons,
            "inline": look == "inline",
            "radio": not isinstance(field.field.widget, forms.CheckboxSelectMultiple),
        },
    )


@register.filter
def masked_id(value):
    return mask_id_number(value)


@register.filter
def masked_phone(value):
    return mask_phone(value)


@register.filter
def percent(numerator, denominator):
    try:
        return f"{numerator / denominator * 100:.1f}%"
    except (TypeError, ZeroDivisionError):
        return "—"


@register.filter
def get_item(mapping, key):
    """{{ counts|get_item:value }}: a dictionary lookup with a default of 0 for counts."""
    try:
        return mapping.get(key, 0)
    except AttributeError:
        return 0
