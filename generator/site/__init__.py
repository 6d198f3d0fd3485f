"""The site: data/ day records -> pages, tag archives, feeds and search (MkDocs plugin).

The records become one view model (:mod:`generator.site.model`), which every section renders
through Jinja templates with plain functions (model -> HTML/XML strings), so the site could
move to another generator; :mod:`generator.site.plugin` is the thin MkDocs shell around them.
"""
