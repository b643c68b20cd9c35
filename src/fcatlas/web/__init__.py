"""fcatlas.web"""
