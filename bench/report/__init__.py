"""``bench report``: stored runs and analyses as one self-contained HTML page or as Markdown.

One job per module: ``build`` reads the inputs and writes the result,
``sections`` turns the data into tables and figures (pure), ``plots`` draws
figures as SVG text (pure; matplotlib imported lazily), ``html`` and
``markdown`` assemble the document, ``model`` holds the shapes between them.
"""
