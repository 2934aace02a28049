"""Machine-learning core of Atelier: embedding, clustering, labelling, drafting.

Nothing in this package imports the web service or the database layer.
"""
