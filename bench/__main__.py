"""`make bench`: every benchmark, one after the other, on the development database."""

from bench import geo_locate, http_floor, messaging, search

if __name__ == "__main__":
    geo_locate.main()
    http_floor.main()
    search.main()
    messaging.main()
