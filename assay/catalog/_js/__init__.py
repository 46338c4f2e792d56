"""Parsers behind :mod:`assay.catalog.javascript`, one module per file format.

``common`` holds what they share: the npm purl, license and author fields of
package.json, and :func:`common.build`, which turns the entries of one lockfile
into packages and dependency edges the same way for every format.
"""
