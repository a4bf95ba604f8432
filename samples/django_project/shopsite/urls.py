from django.urls import path

from profiles import views

urlpatterns = [path("profile/<int:user_id>/", views.profile)]
