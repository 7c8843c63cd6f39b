"""``bench report``: stored runs and analyses as one self-contained HTML page or as Markdown.

One job per module: ``inputs`` reads each input into a typed object (a run is a
``bench.results.model.Run``; an artefact a dataclass of ``inputs``), ``build`` assembles and writes the result,
``sections`` turns the data into tables and figures (pure), ``plots`` draws
figures as SVG text (pure; matplotlib imported lazily), ``html`` and
``markdown`` assemble the document, ``model`` holds the shapes between them.
"""
