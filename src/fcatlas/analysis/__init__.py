"""fcatlas.analysis"""
