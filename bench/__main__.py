"""`make bench`: every benchmark, one after the other, on the development database."""

from bench import geo_locate

if __name__ == "__main__":
    geo_locate.main()
