from .selectors import district_settings


def district(request):
    return {"district": district_settings()}
