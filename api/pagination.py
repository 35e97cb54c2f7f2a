from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """``?page=2&page_size=100``; an agency's nightly sync may ask for up to 200 at a time."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
