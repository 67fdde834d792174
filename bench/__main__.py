"""`make bench`: every benchmark, one after the other, on the development database."""

from bench import clearing, geo_locate, http_floor, search

if __name__ == "__main__":
    geo_locate.main()
    http_floor.main()
    search.main()
    clearing.main()
