"""Settings of the sample user service: the provider the consumer samples' pacts are about."""
import os

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECRET_KEY = "sample-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
INSTALLED_APPS = ["users"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "userservice.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                         "NAME": os.path.join(BASE_DIR, "db.sqlite3")}}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
TEMPLATES = []
STATIC_URL = "/static/"  # LiveServerTestCase serves static files: it needs one
#: USER_SERVICE_BROKEN=1 breaks the user view (ids as strings, no email): the contract
#: tests then FAIL, showing what a broken provider looks like.
USERS_BROKEN = os.environ.get("USER_SERVICE_BROKEN") == "1"
