"""fcatlas.grants"""
