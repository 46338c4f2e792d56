"""Helpers of the Java catalogers (:mod:`assay.catalog.java`).

* :mod:`.manifest` -- ``META-INF/MANIFEST.MF`` sections and the name/version/license fields;
* :mod:`.pom` -- ``pom.properties`` and ``pom.xml`` (safe XML, ``${...}`` resolution);
* :mod:`.naming` -- names and versions from archive file names, group-id inference, purls;
* :mod:`.licenses` -- Maven/OSGi license names and URLs to SPDX;
* :mod:`.archive` -- reading jar/war/ear/... archives (nested ones too) from memory, with limits;
* :mod:`.jvm` -- JDK/JRE installations from their ``release`` file.

Only what registering the catalogers needs is defined here (the archive globs);
:mod:`assay.catalog.java` imports the readers above when a matching file is found.
"""

ARCHIVE_EXTENSIONS = (".jar", ".war", ".ear", ".par", ".sar", ".nar", ".jpi", ".hpi", ".kar", ".lpkg")
