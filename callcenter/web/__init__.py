"""The page shell under every feature's web pages: templating and its filters, the page
frame and error page, the static files, and phone-number masking.

It knows no feature: each feature adds its own routes, keys and templates, and
``callcenter.entrypoints.web.create_app`` puts them together.
"""
