"""Template helpers of the pledge pages: the 下一步 line and this quarter's 季度检查 (commitments.next_steps)."""

from django import template

from commitments.next_steps import inspection_this_quarter, items_under_way, pledge_next_step

register = template.Library()


@register.inclusion_tag("commitments/_next_step.html", takes_context=True)
def pledge_next_step_line(context, pledge):
    """{% pledge_next_step_line pledge %}: the 下一步 line of the pledge for the person reading the page; the
    page's `items` and `signatures`, when it has them, save the queries."""
    user = context.get("user") or getattr(context.get("request"), "user", None)
    items = context.get("items")
    signatures = context.get("signatures")
    step = pledge_next_step(
        pledge,
        user,
        items=list(items) if items is not None else None,
        signatures=list(signatures) if signatures is not None else None,
    )
    return {"step": step}


@register.simple_tag(takes_context=True)
def pledge_next_step_text(context, pledge):
    """{% pledge_next_step_text pledge %}: the same sentence as plain text, for a line in a list."""
    user = context.get("user") or getattr(context.get("request"), "user", None)
    return str(pledge_next_step(pledge, user))


@register.simple_tag
def quarter_inspection(pledge, inspections=None):
    """{% quarter_inspection pledge inspections as done %}: this quarter's inspection of the pledge, or None."""
    return inspection_this_quarter(pledge, list(inspections) if inspections is not None else None)


@register.filter
def under_way(pledge) -> bool:
    """{% if pledge|under_way %}: the items have a fulfilment state (the pledge is signed)."""
    return items_under_way(pledge)


CLAUSE_END = "。；;，,、.！!？?：:"


@register.filter
def clause(text) -> str:
    """{{ item.measures|clause }}: the text without its closing punctuation, for joining clauses with "；"."""
    return str(text or "").strip().rstrip(CLAUSE_END)
