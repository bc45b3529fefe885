from django import forms, template

from organizations.validators import mask_id_number, mask_phone

register = template.Library()


@register.simple_tag
def widget(field, **attrs):
    """Render a form field's widget with the Bootstrap class its kind needs."""
    w = field.field.widget
    if isinstance(w, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
        css = "form-check-input"
    elif isinstance(w, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    attrs["class"] = (attrs.get("class", "") + " " + css).strip()
    return field.as_widget(attrs=attrs)


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
