"""fcatlas.geography.sources"""
