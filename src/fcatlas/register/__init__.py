"""fcatlas.register"""
