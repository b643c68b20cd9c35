"""fcatlas.geography"""
