"""fcatlas.outputs"""
