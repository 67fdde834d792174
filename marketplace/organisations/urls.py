from django.urls import path

from marketplace.organisations import views

app_name = "organisations"

urlpatterns = [
    path("employeur/", views.my_employer, name="my_employer"),
    path(
        "employeur/<int:organisation_id>/rattachement/", views.employment_request, name="employment_request"
    ),
    path(
        "employeur/<int:organisation_id>/correspondant/",
        views.correspondent_request,
        name="correspondent_request",
    ),
    path("emplois/<int:employment_id>/fin/", views.employment_end, name="employment_end"),
    path("emplois/<int:employment_id>/decision/", views.employment_decide, name="employment_decide"),
    path("adherer/", views.register, name="register"),
    path("correspondant/", views.correspondent_space, name="correspondent"),
    path("correspondant/<int:organisation_id>/equipe/", views.staff_invite, name="staff_invite"),
    path(
        "correspondant/<int:organisation_id>/profil/", views.organisation_profile, name="organisation_profile"
    ),
    path("invitations/<int:invitation_id>/annulation/", views.invitation_cancel, name="invitation_cancel"),
    path("invitations/<int:invitation_id>/reponse/", views.invitation_answer, name="invitation_answer"),
    path("roles/<int:role_id>/retrait/", views.staff_revoke, name="staff_revoke"),
    path("roles/<int:role_id>/decision/", views.staff_role_decide, name="staff_role_decide"),
    path("charge-de-developpement/", views.officer_space, name="officer"),
    path(
        "charge-de-developpement/employeurs/<int:organisation_id>/decision/",
        views.organisation_decide,
        name="organisation_decide",
    ),
]
