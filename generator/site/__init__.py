"""The site: data/ day records -> pages, tag archives, feeds and search (MkDocs plugin).

Rendering is plain functions (day record -> HTML string) so the site could move to another
generator; :mod:`generator.site.plugin` is the thin MkDocs shell around them.
"""
