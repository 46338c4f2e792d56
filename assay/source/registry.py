"""``registry:REF``: pull an image's manifest and config, and stream its layers, from a registry."""

from __future__ import annotations

from typing import Callable

from ..model import SourceInfo
from .image import LayerBlob
from .oci import ImageSource, image_layers, info_from, resolve_image

__all__ = ["open_registry"]


def open_registry(
    ref_text: str,
    *,
    platform: str = "",
    options,  # type: ignore[no-untyped-def]  # RegistryOptions
    input: str = "",
    name: str = "",
    version: str = "",
    progress: Callable[[str], None] | None = None,
) -> ImageSource:
    from ..oci.auth import resolve_credentials
    from ..oci.client import RegistryClient
    from ..oci.reference import parse_reference

    ref = parse_reference(ref_text)
    creds = resolve_credentials(ref.registry, ref.repository, username=options.username or None, password=options.password or None)
    client = RegistryClient(ref.registry, auth=creds, insecure=options.insecure, timeout=options.timeout, retries=options.retries)
    try:
        if progress:
            progress(f"fetching manifest for {ref}")
        body, media_type, digest = client.get_manifest(ref.repository, ref.digest or ref.tag)

        img = resolve_image(
            lambda d: client.get_blob(ref.repository, d),
            body,
            digest,
            media_type,
            platform=platform,
            what=f"{ref}",
            get_manifest=lambda d: client.get_manifest(ref.repository, d)[0],
        )

        def blob(desc: dict) -> LayerBlob:  # type: ignore[type-arg]
            d = str(desc.get("digest", ""))
            size = int(desc.get("size") or 0)
            return LayerBlob(d, str(desc.get("mediaType", "")), size, "", lambda: client.open_blob(ref.repository, d, size=size or None))

        layers = image_layers(img.manifest, img.config, blob)
    except BaseException:
        client.close()
        raise
    repo_name = f"{ref.registry}/{ref.repository}"
    tags = (f"{repo_name}:{ref.tag}",) if ref.tag else ()
    info = info_from(
        img.config,
        manifest_digest=img.manifest_digest,
        manifest_media_type=img.manifest_media_type,
        config_digest=img.config_digest,
        index_digest=img.index_digest,
        tags=tags,
        repo_digests=(f"{repo_name}@{img.index_digest or img.manifest_digest}",),
        layers=tuple(lb.to_model() for lb in layers),
        size=sum(lb.size for lb in layers),
    )
    src = SourceInfo(kind="image", input=input or f"registry:{ref_text}", name=name or str(ref), version=version, digest=img.manifest_digest, image=info)
    return ImageSource(src, layers, progress=progress, closer=client.close)
