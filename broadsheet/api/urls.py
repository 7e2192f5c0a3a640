from django.urls import path, re_path

from broadsheet.api.v1 import api, not_found

urlpatterns = [
    path("v1/", api.urls),
    # Any other address under /api/v1/ (an id that is not one, a typo) answers the API's
    # own JSON 404, never the site's HTML page.
    re_path(r"^v1/", not_found),
]
