// The name an image carries in the stick's OCI layout: its reference as the cache set names it, without the
// transport ("docker://registry.local/team/tool:1" → "registry.local/team/tool:1", "oci-archive:/srv/hello.tar:
// team/hello:1" → "team/hello:1"). Archives and layouts must name the image (their path alone says nothing).
export interface OciSource {
  /** what skopeo copies from (the transport and reference as written) */
  source: string;
  /** the tag in the stick's layout */
  name: string;
}

const named = (s: string) => /^[A-Za-z0-9._-]+([:/@][A-Za-z0-9._-]+)*$/.test(s);

export function ociSource(image: string): OciSource {
  const at = image.indexOf(':');
  const transport = at > 0 ? image.slice(0, at) : '';
  const rest = image.slice(at + 1);
  let name: string | undefined;
  switch (transport) {
    case 'docker':
      name = rest.replace(/^\/\//, '');
      break;
    case 'containers-storage':
      name = rest.replace(/^\[[^\]]*\]/, '');
      break;
    case 'oci':
    case 'oci-archive':
    case 'docker-archive': {
      // PATH:NAME (skopeo splits at the first colon after the transport: a path holds none)
      const colon = rest.indexOf(':');
      name = colon > 0 ? rest.slice(colon + 1) : undefined;
      if (!name) throw new Error(`cache oci: ${image} names no image: write it as ${transport}:PATH:NAME:TAG (for example ${transport}:${rest}:team/hello:1)`);
      break;
    }
    default:
      throw new Error(`cache oci: ${image} has no known transport: write docker://REF, oci-archive:FILE:NAME:TAG, oci:DIR:NAME:TAG, docker-archive:FILE:NAME:TAG or containers-storage:REF`);
  }
  if (!named(name)) throw new Error(`cache oci: ${image}: "${name}" is not an image name (letters, digits, ".", "_", "-", with "/" and ":" between them)`);
  return { source: image, name };
}
