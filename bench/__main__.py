"""`make bench`: every benchmark, one after the other, on the development database."""

from bench import clearing, facilities, geo_locate, http_floor, matching, messaging, search

if __name__ == "__main__":
    geo_locate.main()
    http_floor.main()
    search.main()
    facilities.main()
    matching.main()
    messaging.main()
    clearing.main()
