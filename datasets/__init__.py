"""Readers of public datasets and LMS exports: files in, domain types out."""
