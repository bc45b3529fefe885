"""The 下一步 line on the pages of 群众评议 and 整改 (evaluations.next_steps), in the look of a pledge's page."""

from django import template

from evaluations.next_steps import appraisal_next_step, rectification_next_step

register = template.Library()


def _user(context):
    return context.get("user") or getattr(context.get("request"), "user", None)


@register.inclusion_tag("commitments/_next_step.html", takes_context=True)
def appraisal_next_step_line(context, appraisal):
    """{% appraisal_next_step_line appraisal %}: the page's `tally` and `opened_rectification` save queries."""
    step = appraisal_next_step(
        appraisal, _user(context), tally=context.get("tally"), rectification=context.get("opened_rectification")
    )
    return {"step": step}


@register.inclusion_tag("commitments/_next_step.html", takes_context=True)
def rectification_next_step_line(context, rectification):
    """{% rectification_next_step_line r %}: the page's `follow_ups` save a query."""
    return {"step": rectification_next_step(rectification, _user(context), follow_ups=context.get("follow_ups"))}
