"""The director's company views, a department's year and a person's own year."""

from __future__ import annotations

from django.urls import path

from compensation.views import director, my_year, obligations

urlpatterns = [
    path("director/", director.director_start, name="director"),
    path("director/<month:month>/", director.director_departments, name="director_departments"),
    path("director/<month:month>/cash-gap/", director.cash_gap_view, name="cash_gap"),
    path("director/obligations/", obligations.obligations_import_view, name="obligations_import"),
    path("years/", director.year_start, name="year_start"),
    path(
        "departments/<id:department_id>/year/",
        director.department_year_view,
        name="department_year",
    ),
    path(
        "departments/<id:department_id>/year.xlsx",
        director.department_year_export,
        name="department_year_export",
    ),
    path("me/year/", my_year.my_year, name="my_year"),
    path("me/year.xlsx", my_year.my_year_export, name="my_year_export"),
]
