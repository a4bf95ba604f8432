"""The user service's JSON API: one user, a search by name, and creating a user."""
import json

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from .models import User


def user(request, user_id):
    found = User.objects.filter(id=user_id).first()
    if found is None:
        return JsonResponse({"error": f"no user {user_id}"}, status=404)
    return JsonResponse(found.to_json(settings.USERS_BROKEN))


@csrf_exempt
def users(request):
    if request.method == "POST":
        try:
            data = json.loads(request.body)
            created = User.objects.create(name=data["name"], email=data["email"])
        except (ValueError, KeyError, TypeError) as exc:
            return JsonResponse({"error": f"a user needs a name and an email ({exc})"}, status=400)
        return JsonResponse(created.to_json(settings.USERS_BROKEN), status=201)
    found = User.objects.filter(name=request.GET.get("name", "")).order_by("id")
    return JsonResponse({"users": [u.to_json(settings.USERS_BROKEN) for u in found]})
