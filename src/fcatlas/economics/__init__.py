"""fcatlas.economics"""
