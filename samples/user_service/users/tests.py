"""The user service verified against its consumers' pacts, with Django's test runner.

``python manage.py test`` (``--parallel 2`` too) after the consumer samples wrote
samples/pacts/ (``python -m samples`` runs both sides in that order). Every interaction is a
test of its own, e.g. ``test_userweb__a_request_for_user_42__given_user_42_exists``.
"""
import os

from django.test import LiveServerTestCase, TestCase

from pact_unittest import PactVerificationMixin, provider_state

from .models import User

PACTS = os.path.normpath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "pacts"))


class UserServiceStates(PactVerificationMixin):
    """The provider and its states, shared by the two classes below (mixin first)."""

    provider = "UserService"

    @provider_state("user 42 exists")
    def user_42(self, params):
        User.objects.create(id=42, name="Ada", email="ada@example.com", roles="admin")

    @provider_state("no user 7")
    def no_user_7(self, params):
        User.objects.filter(id=7).delete()


class UserServiceContracts(UserServiceStates, TestCase):
    """The web and admin clients' pacts, Django's WSGI handler called in process: the
    states write in the test's transaction, and the view reads them there."""

    pacts = [os.path.join(PACTS, "userweb-userservice.json"),
             os.path.join(PACTS, "useradmin-userservice.json")]


class ShopContracts(UserServiceStates, LiveServerTestCase):
    """The shop's pact, over HTTP against Django's live server (self.live_server_url)."""

    pacts = os.path.join(PACTS, "shopweb-userservice.json")
