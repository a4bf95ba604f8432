"""A page of the shop that shows a user fetched from the user service."""
from django.conf import settings
from django.http import Http404, JsonResponse

from samples.userclient import UserClient, UserNotFound


def profile(request, user_id):
    try:
        user = UserClient(settings.USER_SERVICE_URL).get_user(user_id)
    except UserNotFound:
        raise Http404(f"no user {user_id}")
    return JsonResponse({"name": user.name, "admin": "admin" in user.roles})
