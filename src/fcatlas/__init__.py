"""fcatlas — planering och uppföljning av familjecentraler i Sverige."""

__version__ = "0.1.0"
