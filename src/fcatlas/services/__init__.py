"""Use cases shared by the faces (CLI, later the web): typed requests in, results out."""
