from .permissions import Role, grants_of, holds_role_anywhere, may_use_admin, own_member
from .selectors import default_organization


def navigation(request):
    """What the navigation bar offers this person, from his roles."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    grants = grants_of(user)
    member = own_member(user)
    start = default_organization(user) if grants else None
    return {
        "nav": {
            "roles": sorted({g.role.label for g in grants}),
            "member": member,
            "can_manage": holds_role_anywhere(user),
            "is_committee": holds_role_anywhere(user, {Role.COMMITTEE}),
            "can_grant": holds_role_anywhere(user, {Role.SECRETARY, Role.COMMITTEE}),
            "is_admin": may_use_admin(user),
            "unread": user.notifications.filter(read_at__isnull=True).count(),
            "org_code": start.code if start is not None else "",
        }
    }
