"""Pipeline routes; include before the Tastypie API (iondb/urls.py) so they win over its
generic `<resource>/<pk>/` detail routes."""
from django.urls import path

from . import views

API = "rundb/api/v1/"

urlpatterns = [
    path(API + "results/<int:pk>/reanalyze/", views.results_reanalyze, name="results-reanalyze"),
    path(API + "experiment/<int:pk>/reanalyze/", views.experiment_reanalyze, name="experiment-reanalyze"),
]
