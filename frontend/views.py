from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/home.html")


def territory_map(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/map.html")


def sources(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/sources.html")
