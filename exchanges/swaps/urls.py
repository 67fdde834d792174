from django.urls import path

from exchanges.swaps import views

app_name = "swaps"

urlpatterns = [
    path("propositions/", views.inbox, name="inbox"),
    path("propositions/<int:proposal_id>/", views.detail, name="detail"),
    path("propositions/<int:proposal_id>/action/", views.act, name="act"),
    path("propositions/<int:proposal_id>/dates/", views.counter, name="counter"),
    path("propositions/<int:proposal_id>/sejours/<int:stay_id>/avis/", views.review, name="review"),
    path("logements/<int:home_id>/proposer/", views.propose, name="propose"),
    path("logements/<int:home_id>/demander/", views.request_stay, name="request"),
    path("mon-logement/<int:home_id>/suggestions/", views.suggestions, name="suggestions"),
    path("mon-logement/<int:home_id>/suggestions/proposer/", views.propose_match, name="propose_match"),
]
