"""Torrent Browser pages (included at the root by iondb/urls.py)."""
from pathlib import Path

from django.urls import path, re_path
from django.views.generic.base import RedirectView
from django.views.static import serve

from .access import page
from .views import auth, configure, data, home, output, plan, plugin_pages, projects, report

STATIC = Path(__file__).resolve().parent / "static" / "browser"


@page("anonymous")
def static_file(request, path):
    """The pages' own CSS/JS, served by Django in every mode (no collectstatic step)."""
    return serve(request, path, document_root=str(STATIC))


root = page("anonymous")(RedirectView.as_view(url="/home/", query_string=True))

urlpatterns = [
    path("", root, name="tb-root"),
    path("static/browser/<path:path>", static_file, name="tb-static"),
    path("login/", auth.login_page, name="login"),
    path("login/ajax/", auth.login_ajax, name="login-ajax"),
    path("logout/", auth.logout_page, name="logout"),
    path("logout", auth.logout_page),
    path("home/", home.home_page, name="tb-home"),
    path("home/fragments", home.home_fragments, name="tb-home-fragments"),
    path("plan/", plan.plan_root, name="tb-plan"),
    path("plan/plan_templates/", plan.templates_page, name="tb-plan-templates"),
    path("plan/page_plan_new_plan/<int:template_id>/", plan.new_plan_page, name="tb-plan-new"),
    path("plan/page_plan_new_plan_from_code/<int:code>/", plan.new_plan_from_scratch, name="tb-plan-scratch"),
    path("plan/page_plan_edit_plan/<int:plan_id>/", plan.edit_plan_page, name="tb-plan-edit"),
    path("plan/planned/", plan.planned_page, name="tb-planned"),
    path("plan/reviewplan/<int:plan_id>/", plan.review_plan, name="tb-plan-review"),
    path("monitor/", home.monitor_page, name="tb-monitor"),
    path("data/", data.data_page, name="tb-data"),
    path("data/getCSV.csv", data.data_csv, name="tb-data-csv"),
    path("data/projects/", projects.projects_page, name="tb-projects"),
    path("data/project/<int:pk>/results", projects.project_results_page, name="tb-project-results"),
    path("data/project/<int:pk>/results/", projects.project_results_page),
    path("data/project/<int:pk>/results/remove/", projects.remove_from_project, name="tb-project-remove"),
    path("data/project/<int:pk>/getCSV.csv", projects.project_csv, name="tb-project-csv"),
    path("data/project/<int:pk>/log", projects.project_log, name="tb-project-log"),
    path("data/results/<str:pks>/project/", data.add_to_project, name="tb-data-add-project"),
    path("report/<int:pk>/", report.report_page, name="tb-report"),
    path("report/<int:pk>", report.report_page),
    path("report/<int:pk>/log", report.report_log, name="tb-report-log"),
    re_path(r"^output/(?P<path>.+)$", output.output_file, name="tb-output"),
    path("configure/plugins/", configure.plugins_page, name="tb-plugins"),
    path("configure/account/", configure.account_page, name="tb-account"),
    path("configure/services/", configure.services_page, name="tb-services"),
    path("configure/services/controljob/<int:pk>/term", configure.terminate_analysis, name="tb-terminate"),
    path("configure/references/", configure.references_page, name="tb-references"),
    path("configure/references/upload/", configure.reference_upload, name="tb-reference-upload"),
    path("configure/plugins/plugin/<int:pk>/configure/<str:action>/", plugin_pages.plugin_page, name="tb-plugin-page"),
]
